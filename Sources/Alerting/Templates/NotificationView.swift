import Foundation

/// What a template sees. Documented in docs/templates.md; keep the two in step.
enum NotificationView {
    static func make(_ notification: Notification, channelName: String) -> [String: Any] {
        let alert = notification.alert
        let resolved = alert.status == .resolved
        let details = alert.details.keys.sorted().map { key in
            ["key": key, "value": alert.details[key]?.displayText ?? ""]
        }
        var detailMap: [String: String] = [:]
        for (key, value) in alert.details { detailMap[key] = value.displayText }
        let links = alert.links.map { ["href": $0.href, "text": $0.text ?? $0.href] }
        let alertView: [String: Any] = [
            "id": String(alert.id),
            "dedup_key": alert.dedupKey,
            "kind": alert.kind.rawValue,
            "kind_title": kindTitle(alert.kind),
            "severity": alert.severity.rawValue,
            "severity_upper": alert.severity.rawValue.uppercased(),
            "environment": alert.environment ?? "-",
            "source": alert.source ?? "-",
            "summary": alert.summary,
            "status": alert.status.rawValue,
            "count": String(alert.count),
            "first_seen": rfc3339(alert.firstSeen),
            "last_seen": rfc3339(alert.lastSeen),
            "details": details,
            "detail": detailMap,
            "links": links,
        ]
        var view: [String: Any] = [
            "alert": alertView,
            "action": notification.event.action.rawValue,
            "channel": channelName,
            "title": (resolved ? "Resolved: " : "") + kindTitle(alert.kind) + " in " + (alert.environment ?? "unknown environment"),
            "severity_emoji": resolved ? ":white_check_mark:" : severityEmoji(alert.severity),
            "is_resolved": resolved,
            "is_repeat": alert.count > 1,
            "has_details": !details.isEmpty,
            "has_links": !links.isEmpty,
        ]
        // Who acknowledged or resolved it, and why, in their words (resolve notices).
        if let actor = notification.event.actor { view["by"] = actor }
        if let note = notification.event.note { view["note"] = note }
        if let recipient = notification.recipient {
            view["contact"] = ["name": recipient.name]
        }
        if let digest = notification.digest, let since = digest.since {
            // Alerts a throttle held back since the last message to this person.
            view["digest"] = [
                "count": String(digest.count),
                "since": clockTime(since),
                "summaries": digest.items.map { "#\($0.alertID) \($0.summary)" }.joined(separator: "; "),
            ]
        }
        return view
    }

    /// `10:02Z`: short enough for an SMS, unambiguous across timezones.
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

    static func rfc3339(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle())
    }
}
