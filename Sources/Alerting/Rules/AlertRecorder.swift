import Foundation

/// Records events: dedup by key (``AlertStateMachine``), the timeline, and what each
/// transition means for its escalation, in the caller's transaction, so an alert is never open
/// without its escalation and an acknowledged or resolved one never keeps paging.
public enum AlertRecorder {
    /// Records `events` in order (event 2 sees what event 1 did) and returns what each did.
    /// For each transition, `plan` says what happens to its escalation; `isSilenced` says
    /// whether a silence matches an alert now (its triggers are marked in the timeline). With
    /// `fire`, a first step due the moment its alert opens fires here, in this transaction
    /// (what ``EscalationFirer`` would do a moment later, without writing the escalation first).
    public static func record(_ events: [AlertEvent], at now: Date, in transaction: any StoreTransaction,
                              plan: (AlertTransition) -> EscalationPlan, isSilenced: (Alert) -> Bool = { _ in false },
                              fire: ((EscalationState, Alert) throws -> EscalationFiring)? = nil) throws -> [AlertTransition] {
        var firstSteps: [EscalationState] = []
        // Every alert the batch may change, read (and locked) in one go; what each event does to
        // its key is kept here, so event 2 of a key sees what event 1 did.
        var openByKey = try openAlerts(for: events, in: transaction)
        return try events.map { event in
            let open = openByKey[event.dedupKey] ?? nil
            let (change, effect) = AlertStateMachine.apply(event, to: open, at: now)
            var transition = AlertTransition(change: change, alert: open, event: event)
            switch effect {
            case .open:
                var alert = AlertStateMachine.newAlert(id: 0, from: event, at: now)
                alert.id = try transaction.insertAlert(alert)
                transition.alert = alert
            case .update(let alert):
                try transaction.updateAlert(alert)
                transition.alert = alert
            case .none:
                break
            }
            guard let alert = transition.alert else { return transition }
            openByKey[event.dedupKey] = alert.status == .resolved ? .some(nil) : alert
            var entry = AlertLogEntry(transition, alertID: alert.id, at: now)
            entry.silenced = event.action == .trigger && isSilenced(alert)
            if change != .deduplicated {
                entry.addNote(try apply(plan(transition), to: transition, alert: alert, at: now, in: transaction, fire: fire, firstSteps: &firstSteps))
            }
            try transaction.appendLog(entry)
            // The first step fires after the "opened" line, so the timeline reads in order.
            for escalation in firstSteps {
                if let fire { try EscalationFirer.fireOne(escalation, alert: alert, at: now, isStored: false, in: transaction, fire: fire) }
            }
            firstSteps.removeAll()
            return transition
        }
    }

    /// The open alert of each key in `events` (nil for a key with none), locked for update.
    private static func openAlerts(for events: [AlertEvent], in transaction: any StoreTransaction) throws -> [String: Alert?] {
        var open: [String: Alert?] = [:]
        for event in events { open[event.dedupKey] = .some(nil) }
        for alert in try transaction.openAlerts(dedupKeys: Array(open.keys), forUpdate: true) { open[alert.dedupKey] = alert }
        return open
    }

    /// Applies the plan; returns a note for the timeline when an acknowledge or resolve dropped
    /// pages that had not gone out.
    private static func apply(_ plan: EscalationPlan, to transition: AlertTransition, alert: Alert, at now: Date,
                              in transaction: any StoreTransaction, fire: ((EscalationState, Alert) throws -> EscalationFiring)?,
                              firstSteps: inout [EscalationState]) throws -> String? {
        switch transition.change {
        case .opened:
            for start in plan.starts {
                var escalation = EscalationState(alertID: alert.id, policy: start.policy, route: start.route, position: 0,
                                                 dueAt: start.dueAt, startedAt: now, event: transition.event)
                escalation.holdsFirstPage = start.holdsFirstPage
                if fire != nil, start.dueAt <= now {
                    firstSteps.append(escalation)
                } else {
                    try transaction.saveEscalation(escalation)
                }
            }
            return nil
        case .acknowledged:
            let escalations = try transaction.escalations(alertID: alert.id, forUpdate: true)
            let note = try cancelPendingPages(alertID: alert.id, escalating: !escalations.isEmpty, in: transaction)
            for var escalation in escalations {
                if let retriggerAt = plan.retriggerAt[escalation.route] {
                    escalation.acknowledged = true
                    escalation.dueAt = retriggerAt
                    try transaction.saveEscalation(escalation)
                } else {
                    try transaction.deleteEscalation(alertID: alert.id, route: escalation.route)
                }
            }
            return note
        case .resolved:
            let escalations = try transaction.escalations(alertID: alert.id, forUpdate: true)
            // A trigger always pages its first step, unless its route holds it for flaps: the
            // same events give the same pages however they were batched or timed.
            var note = try cancelPendingPages(alertID: alert.id, escalating: !escalations.isEmpty, in: transaction, keepingFirstStep: true)
            for var escalation in escalations {
                if escalation.position == 0, !escalation.acknowledged, !escalation.holdsFirstPage {
                    escalation.resolvedBeforeFirstPage = true
                    try transaction.saveEscalation(escalation)
                    note = [note, "its first step still pages (resolved before anyone was notified)"].compactMap { $0 }.joined(separator: "; ")
                } else {
                    try transaction.deleteEscalation(alertID: alert.id, route: escalation.route)
                }
            }
            if plan.notifyResolve {
                // Tell every channel and person the alert reached, once each.
                var told: [OutboxTarget] = []
                for record in try transaction.deliveries(alertID: alert.id)
                where record.report.outcome.isDelivered && !plan.noResolveNoticeVia.contains(record.report.channel) {
                    let target = OutboxTarget(channel: record.report.channel, recipient: record.report.recipient)
                    guard !told.contains(target) else { continue }
                    told.append(target)
                    _ = try transaction.insertOutbox(OutboxItem(id: 0, alertID: alert.id, target: target, position: nil, action: .resolve, createdAt: now,
                                                                      event: transition.event))
                }
            }
            return note
        default:
            return nil
        }
    }

    /// Pages nobody has claimed yet are dropped once someone acknowledged or resolved the alert;
    /// on a resolve, the first step's pages still go. A storm digest stays: it carries other
    /// alerts too (it is checked again when it goes out). The alert's outbox is read for update,
    /// so a claim elsewhere cannot take a page being dropped. Returns the timeline's note on what
    /// was dropped, if anything.
    private static func cancelPendingPages(alertID: Int64, escalating: Bool, in transaction: any StoreTransaction,
                                           keepingFirstStep: Bool = false) throws -> String? {
        let pages = try transaction.outbox(alertID: alertID, forUpdate: true).filter { $0.item.action == .trigger }
        let dropped = pages.filter { isDropped($0, keepingFirstStep: keepingFirstStep) }
        for row in dropped { try transaction.deleteOutbox(id: row.item.id) }
        return AlertLogEntry.droppedPagesNote(pending: dropped.count, neverNotified: escalating && pages.isEmpty && !keepingFirstStep)
    }

    private static func isDropped(_ row: OutboxRow, keepingFirstStep: Bool) -> Bool {
        row.item.action == .trigger && row.isPending && row.item.digestOf.isEmpty && !(keepingFirstStep && row.item.position == 0)
    }
}
