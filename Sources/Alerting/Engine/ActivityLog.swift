import Logging

/// What a long-running notify says it did, one line per fact at the default level: an alert
/// opened, acknowledged or resolved, and each page placed or failed (channel, recipient,
/// outcome). Each fact is said here alone, so a failure is never logged two or three times.
///
/// Commands that report these facts themselves (`notify send` prints one line per delivery)
/// pass a logger set to a level above them.
public struct ActivityLog: Sendable {
    public var logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    /// An alert opened, acknowledged or resolved (by an event, a person or a detector).
    func alertChanged(_ transition: AlertTransition, unrouted: Bool, detector: Bool = false) {
        // Repeats are most events of a storm: nothing is built for them, nor below the level.
        guard let alert = transition.alert, [.opened, .acknowledged, .resolved].contains(transition.change),
              logger.logLevel <= (unrouted ? .warning : .notice) else { return }
        var metadata: Logger.Metadata = ["alert": "\(alert.id)", "kind": "\(alert.kind)", "key": "\(alert.dedupKey)"]
        if let actor = transition.event.actor { metadata["by"] = "\(actor)" }
        if let note = transition.event.note { metadata["note"] = "\(note)" }
        let by = detector ? " by a detector" : ""
        switch transition.change {
        case .opened where unrouted:
            logger.warning("alert opened\(by): \(alert.summary); no route matches it, nobody is notified", metadata: metadata)
        case .opened:
            logger.notice("alert opened\(by): \(alert.summary)", metadata: metadata)
        case .acknowledged:
            logger.notice("alert acknowledged", metadata: metadata)
        case .resolved:
            logger.notice("alert resolved\(by)", metadata: metadata)
        default:
            break
        }
    }

    /// A page (or resolve notice) placed, failed, or held by a throttle.
    /// - Parameter retryAt: when a failed page is tried again; nil when it is not.
    /// - Parameter action: `.resolve` for a resolve notice.
    func page(_ report: DeliveryReport, alertID: Int64, retryAt: Date? = nil, action: EventAction = .trigger) {
        let failed = report.outcome.label == "retryable" || report.outcome.label == DeliveryOutcome.permanentLabel
        guard logger.logLevel <= (failed ? .error : .notice) else { return }
        let what = action == .resolve ? "resolve notice" : "page"
        var metadata: Logger.Metadata = ["alert": "\(alertID)", "channel": "\(report.channel)"]
        if let recipient = report.recipient { metadata["to"] = "\(recipient)" }
        if report.attempts.count > 1 { metadata["attempts"] = "\(report.attempts.count)" }
        switch report.outcome {
        case .delivered(let providerID):
            if let providerID { metadata["id"] = "\(providerID)" }
            logger.notice("\(what) delivered", metadata: metadata)
        case .retryable(let reason, _):
            metadata["reason"] = "\(reason)"
            if let retryAt { metadata["retry_at"] = "\(retryAt.formatted(Date.ISO8601FormatStyle()))" }
            logger.error(retryAt == nil ? "\(what) failed" : "\(what) failed; it will be retried", metadata: metadata)
        case .permanent(let reason):
            metadata["reason"] = "\(reason)"
            logger.error("\(what) failed permanently", metadata: metadata)
        case .throttled(let nextAllowed):
            metadata["next_allowed"] = "\(nextAllowed.formatted(Date.ISO8601FormatStyle()))"
            logger.notice("\(what) held by the contact's throttle; the next message to them carries it in a digest", metadata: metadata)
        }
    }
}

import Foundation
