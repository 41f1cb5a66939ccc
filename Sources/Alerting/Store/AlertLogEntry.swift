import Foundation

/// One event in an alert's timeline: what happened, when, and who did it.
public struct AlertLogEntry: Sendable, Hashable {
    public var alertID: Int64
    public var at: Date
    public var action: EventAction
    public var change: AlertTransition.Change
    /// Who acknowledged or resolved it, when they said.
    public var actor: String?
    public var note: String?
    /// The summary the event carried (triggers).
    public var summary: String?
    /// A trigger recorded while a silence matched its alert (detectors leave it out).
    public var silenced = false

    public init(alertID: Int64, at: Date, action: EventAction, change: AlertTransition.Change, actor: String? = nil, note: String? = nil, summary: String? = nil) {
        self.alertID = alertID
        self.at = at
        self.action = action
        self.change = change
        self.actor = actor
        self.note = note
        self.summary = summary
    }

    /// The note for an acknowledge or resolve that came before anyone was paged: the pages not
    /// yet sent are dropped (the alert is handled), and the timeline says so.
    /// - Parameter neverNotified: the alert has an escalation whose first step has not fired.
    static func droppedPagesNote(pending: Int, neverNotified: Bool) -> String? {
        let dropped = pending == 1 ? "1 page not yet sent was dropped" : "\(pending) pages not yet sent were dropped"
        if neverNotified { return "came before anyone was notified" + (pending > 0 ? "; \(dropped)" : "") }
        return pending > 0 ? dropped : nil
    }

    /// `extra` added to the note the person gave, if any.
    mutating func addNote(_ extra: String?) {
        guard let extra else { return }
        note = note.map { "\($0); \(extra)" } ?? extra
    }

    init(_ transition: AlertTransition, alertID: Int64, at now: Date) {
        self.init(alertID: alertID, at: now, action: transition.event.action, change: transition.change,
                  actor: transition.event.actor, note: transition.event.note, summary: transition.event.summary)
    }
}
