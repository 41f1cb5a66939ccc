import Foundation
import Mustache

/// What a template sees. Documented in docs/templates.md; keep the two in step.
///
/// Values are computed when a template asks for them (``child(named:)``), not all up front:
/// rendering is a large part of a storm's work, and a template names a few of them.
final class NotificationView: MustacheParent {
    let notification: Notification
    let channelName: String
    /// Values a channel adds for its own templates (a gateway's `to`, `text`).
    var extra: [String: Any] = [:]

    init(_ notification: Notification, channelName: String) {
        self.notification = notification
        self.channelName = channelName
    }

    private var alert: Alert { notification.alert }
    /// `{{alert.x}}`, made once for all the template's lookups.
    private lazy var alertView = AlertView(notification.alert)
    private var resolved: Bool { alert.status == .resolved }

    func child(named name: String) -> Any? {
        if !extra.isEmpty, let value = extra[name] { return value }
        switch name {
        case "alert": return alertView
        case "action": return notification.event.action.rawValue
        case "channel": return channelName
        case "title": return (resolved ? "Resolved: " : "") + Self.kindTitle(alert.kind) + " in " + (alert.environment ?? "unknown environment")
        case "severity_emoji": return resolved ? ":white_check_mark:" : Self.severityEmoji(alert.severity)
        case "severity_color": return Self.severityColor(alert.severity)
        case "is_resolved": return resolved
        case "is_repeat": return alert.count > 1
        case "has_details": return !alert.details.isEmpty
        case "has_links": return !alert.links.isEmpty
        // Who acknowledged or resolved it, and why, in their words (resolve notices).
        case "by": return notification.event.actor
        case "note": return notification.event.note
        // A resolve notice's "by whom, and why": `by alice: fixed the disk`, `by itself:
        // auto_resolve: nothing for 10m` (notify resolved it), `by its source` (the sender
        // said it recovered).
        case "resolution": return Self.resolution(of: notification.event)
        case "contact": return notification.recipient.map { ["name": $0.name] }
        case "digest":
            // Alerts held back (a throttle, storm control, a person's queue) that this message carries.
            guard let digest = notification.digest, let since = digest.since else { return nil }
            return [
                "count": String(digest.count),
                "since": Self.clockTime(since),
                "summaries": digest.items.map { "#\($0.alertID) \($0.summary)" }.joined(separator: "; "),
            ]
        default: return nil
        }
    }

    /// The alert, as `{{alert.x}}` reads it.
    final class AlertView: MustacheParent {
        let alert: Alert

        init(_ alert: Alert) {
            self.alert = alert
        }

        func child(named name: String) -> Any? {
            switch name {
            case "id": String(alert.id)
            case "dedup_key": alert.dedupKey
            case "kind": alert.kind.rawValue
            case "kind_title": NotificationView.kindTitle(alert.kind)
            case "severity": alert.severity.rawValue
            case "severity_upper": alert.severity.rawValue.uppercased()
            case "environment": alert.environment ?? "-"
            case "source": alert.source ?? "-"
            case "summary": alert.summary
            case "status": alert.status.rawValue
            case "count": String(alert.count)
            case "first_seen": NotificationView.rfc3339(alert.firstSeen)
            case "last_seen": NotificationView.rfc3339(alert.lastSeen)
            case "details": alert.details.keys.sorted().map { key in ["key": key, "value": alert.details[key]?.displayText ?? ""] }
            case "detail": alert.details.mapValues(\.displayText)
            case "links": alert.links.map { ["href": $0.href, "text": $0.text ?? $0.href] }
            default: nil
            }
        }
    }

    /// `10:02Z`: short enough for an SMS, unambiguous across timezones.
    /// How a resolve notice says who resolved the alert and why; nil for any other message.
    static func resolution(of event: AlertEvent) -> String? {
        guard event.action == .resolve else { return nil }
        let who = switch event.actor {
        case "notify"?: "by itself"
        case let actor?: "by \(actor)"
        case nil: "by its source"
        }
        // The nonce of the button that resolved it is for the timeline, not for people.
        return who + (event.note.map { ": \(ActionToken.withoutMark($0))" } ?? "")
    }

    static func clockTime(_ date: Date) -> String {
        let components = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC") ?? .current, from: date)
        return String(format: "%02d:%02dZ", components.hour ?? 0, components.minute ?? 0)
    }

    static func kindTitle(_ kind: AlertKind) -> String {
        switch kind {
        case .failover: "Failover"
        case .continuousFailure: "Continuous failure"
        case .healthCheckFailure: "Health check failure"
        default: kind.rawValue
        }
    }

    static func severityEmoji(_ severity: Severity) -> String {
        switch severity {
        case .critical: ":red_circle:"
        case .error: ":large_orange_circle:"
        case .warning: ":large_yellow_circle:"
        case .info: ":large_blue_circle:"
        }
    }

    /// A colour for the bar beside a message (Mattermost attachments), as a hex triplet.
    static func severityColor(_ severity: Severity) -> String {
        switch severity {
        case .critical: "#D40E0D"
        case .error: "#F2711C"
        case .warning: "#FFC107"
        case .info: "#2389D7"
        }
    }

    static func rfc3339(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle())
    }
}
