import Foundation

/// Fires escalations that are due: the engine's `fire` decides the step's targets and the next
/// step; this puts the deliveries in the outbox and advances the escalation, in the caller's
/// transaction. An acknowledged alert whose ack timeout has passed triggers again first.
public enum EscalationFirer {
    static let retriggerNote = "acknowledged and not resolved within the ack timeout"

    /// Fires at most `limit` due escalations; returns how many came due.
    public static func fireDue(at now: Date, limit: Int, in transaction: any StoreTransaction,
                               fire: (EscalationState, Alert) throws -> EscalationFiring) throws -> Int {
        let due = try transaction.dueEscalations(at: now, limit: limit)
        // The due steps' alerts, read and locked in one go; a step changes only its own alert.
        var alerts = Dictionary(try transaction.alerts(ids: Array(Set(due.map(\.alertID))), forUpdate: true).map { ($0.id, $0) }) { first, _ in first }
        for var escalation in due {
            guard var alert = alerts[escalation.alertID], alert.status.isOpen || escalation.resolvedBeforeFirstPage else {
                try transaction.deleteEscalation(alertID: escalation.alertID, route: escalation.route)
                continue
            }
            if escalation.acknowledged {
                alert.status = .triggered
                alerts[alert.id] = alert
                try transaction.updateAlert(alert)
                try transaction.appendLog(AlertLogEntry(alertID: alert.id, at: now, action: .trigger, change: .retriggered, note: retriggerNote))
                escalation = EscalationState(alertID: alert.id, policy: escalation.policy, route: escalation.route, position: 0, dueAt: now, startedAt: now,
                                             event: escalation.event)
            }
            try fireOne(escalation, alert: alert, at: now, isStored: true, in: transaction, fire: fire)
        }
        return due.count
    }

    /// Fires one escalation whose step is due: its deliveries into the outbox, its next step
    /// (or its end). `isStored` false: the escalation was never written (an alert whose first
    /// step is due the moment it opens), so it is written only if it goes on.
    static func fireOne(_ escalation: EscalationState, alert: Alert, at now: Date, isStored: Bool, in transaction: any StoreTransaction,
                        fire: (EscalationState, Alert) throws -> EscalationFiring) throws {
        var escalation = escalation
        let firing = try fire(escalation, alert)
        if firing.logNote {
            try transaction.appendLog(AlertLogEntry(alertID: alert.id, at: now, action: .trigger, change: .escalated, note: firing.note))
        }
        if firing.postponeUntil != nil, escalation.resolvedBeforeFirstPage {
            if isStored { try transaction.deleteEscalation(alertID: alert.id, route: escalation.route) }  // resolved and silenced: nothing owed
            return
        }
        if let postponed = firing.postponeUntil {
            escalation.dueAt = postponed
            escalation.silenced = true
            escalation.acknowledged = false
            try transaction.saveEscalation(escalation)
            return
        }
        for target in firing.targets {
            _ = try transaction.insertOutbox(OutboxItem(id: 0, alertID: alert.id, route: escalation.route, target: target,
                                                        position: escalation.position, action: .trigger, createdAt: now,
                                                        event: escalation.event))
        }
        guard let next = firing.next, !escalation.resolvedBeforeFirstPage else {
            if firing.keepForAckTimeout, !escalation.resolvedBeforeFirstPage {
                escalation.position += 1
                escalation.dueAt = EscalationState.noStepDue
                escalation.acknowledged = false
                escalation.silenced = false
                try transaction.saveEscalation(escalation)
            } else {
                if isStored { try transaction.deleteEscalation(alertID: alert.id, route: escalation.route) }
            }
            return
        }
        escalation.position = next.position
        escalation.dueAt = next.dueAt
        escalation.startedAt = firing.restartedAt ?? escalation.startedAt
        escalation.acknowledged = false
        escalation.silenced = false
        try transaction.saveEscalation(escalation)
    }
}
