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

    public init(alertID: Int64, at: Date, action: EventAction, change: AlertTransition.Change, actor: String? = nil, note: String? = nil, summary: String? = nil) {
        self.alertID = alertID
        self.at = at
        self.action = action
        self.change = change
        self.actor = actor
        self.note = note
        self.summary = summary
    }

    init(_ transition: AlertTransition, alertID: Int64, at now: Date) {
        self.init(alertID: alertID, at: now, action: transition.event.action, change: transition.change,
                  actor: transition.event.actor, note: transition.event.note, summary: transition.event.summary)
    }
}
