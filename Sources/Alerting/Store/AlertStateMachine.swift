import Foundation

/// The dedup and status rules, apart from any storage, so every store applies the same ones.
///
/// - A trigger with no open alert for its key opens one; with an open alert (triggered or
///   acknowledged) it bumps `count` and `lastSeen` and pages nobody. The alert keeps its first
///   summary and severity, as PagerDuty's does.
/// - Acknowledge and resolve act on the open alert with the key; after resolve the key is free,
///   and the next trigger opens a new alert.
public enum AlertStateMachine {
    /// The effect of one event on the open alert with its key.
    public enum Effect: Sendable, Hashable {
        /// Open a new alert (the store assigns its id).
        case open
        case update(Alert)
        case none
    }

    public static func apply(_ event: AlertEvent, to open: Alert?, at now: Date) -> (AlertTransition.Change, Effect) {
        switch (event.action, open) {
        case (.trigger, nil):
            return (.opened, .open)
        case (.trigger, var alert?):
            alert.count += 1
            alert.lastSeen = now
            return (.deduplicated, .update(alert))
        case (.acknowledge, var alert?):
            guard alert.status == .triggered else { return (.alreadyAcknowledged, .none) }
            alert.status = .acknowledged
            alert.lastSeen = now
            return (.acknowledged, .update(alert))
        case (.resolve, var alert?):
            alert.status = .resolved
            alert.lastSeen = now
            return (.resolved, .update(alert))
        case (.acknowledge, nil), (.resolve, nil):
            return (.unknownKey, .none)
        }
    }

    /// The alert a trigger opens.
    public static func newAlert(id: Int64, from event: AlertEvent, at now: Date) -> Alert {
        Alert(
            id: id, dedupKey: event.dedupKey, kind: event.kind, severity: event.severity,
            environment: event.environment, source: event.source, summary: event.summary ?? "",
            status: .triggered, firstSeen: event.timestamp ?? now, lastSeen: now, count: 1,
            details: event.details, links: event.links)
    }
}
