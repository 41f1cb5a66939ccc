import Foundation

/// An ``AlertStore`` in memory: for tests, for the library example, and for `notify` runs
/// that need no state beyond the process (`--state :memory:`).
public actor MemoryAlertStore: AlertStore {
    private var alertsByID: [Int64: Alert] = [:]
    private var openIDByKey: [String: Int64] = [:]
    private var deliveriesByAlert: [Int64: [DeliveryRecord]] = [:]
    private var logByAlert: [Int64: [AlertLogEntry]] = [:]
    private var escalations: [EscalationKey: EscalationState] = [:]

    private struct EscalationKey: Hashable {
        var alertID: Int64
        var route: String
    }
    private var outbox: [Int64: (item: OutboxItem, owner: LeaseOwner?, leaseUntil: Date?)] = [:]
    /// Items sent back to try again later, and when.
    private var notBefore: [Int64: Date] = [:]
    /// Outbox ids in the order they were added (ids only grow); `outboxHead` skips the finished
    /// ones at the front, so claiming does not sort or scan the whole outbox.
    private var outboxOrder: [Int64] = []
    private var outboxHead = 0
    /// Per alert and firing: items not finished yet, and whether every finished one failed
    /// permanently (the fallback rule).
    private var unfinishedByFiring: [FiringKey: Int] = [:]
    private var allFailedByFiring: [FiringKey: Bool] = [:]

    private struct FiringKey: Hashable {
        var alertID: Int64
        var route: String?
        var position: Int
    }
    private var silenceList: [Int64: Silence] = [:]
    private var beatsByName: [String: (lastBeat: Date?, since: Date)] = [:]
    private var nextSilenceID: Int64 = 1
    private var nextID: Int64 = 1
    private var nextOutboxID: Int64 = 1
    /// Storm control: which alerts paged each contact when, and the pages held for a digest.
    /// By recipient and channel, the alert of the latest delivery that went out.
    private var lastDelivered: [String: [String: (alertID: Int64, sequence: Int)]] = [:]
    private var deliverySequence = 0
    private var contactPages: [String: [(alertID: Int64, at: Date)]] = [:]
    private var stormHeld: [String: [(alertID: Int64, channel: String, digestAt: Date)]] = [:]

    public init() {}

    public func record(_ events: [AlertEvent], at now: Date, plan: @Sendable (AlertTransition) -> EscalationPlan) -> [AlertTransition] {
        events.map { event in
            let open = openIDByKey[event.dedupKey].flatMap { alertsByID[$0] }
            let (change, effect) = AlertStateMachine.apply(event, to: open, at: now)
            var transition = AlertTransition(change: change, alert: open, event: event)
            switch effect {
            case .open:
                let alert = AlertStateMachine.newAlert(id: nextID, from: event, at: now)
                nextID += 1
                alertsByID[alert.id] = alert
                openIDByKey[alert.dedupKey] = alert.id
                transition.alert = alert
            case .update(let alert):
                alertsByID[alert.id] = alert
                if !alert.status.isOpen { openIDByKey[alert.dedupKey] = nil }
                transition.alert = alert
            case .none:
                break
            }
            if let alert = transition.alert {
                var entry = AlertLogEntry(transition, alertID: alert.id, at: now)
                if transition.change == .acknowledged || transition.change == .resolved {
                    let pages = outbox.values.filter { $0.item.alertID == alert.id && $0.item.action == .trigger }
                    let pending = pages.filter { $0.owner == nil }.count
                    let fired = !pages.isEmpty || deliveriesByAlert[alert.id]?.isEmpty == false
                    let escalating = escalations.keys.contains { $0.alertID == alert.id }
                    entry.addNote(AlertLogEntry.droppedPagesNote(pending: pending, neverNotified: escalating && !fired))
                }
                logByAlert[alert.id, default: []].append(entry)
                apply(plan(transition), to: transition, alert: alert, at: now)
            }
            return transition
        }
    }

    private func apply(_ plan: EscalationPlan, to transition: AlertTransition, alert: Alert, at now: Date) {
        switch transition.change {
        case .opened:
            for start in plan.starts {
                escalations[EscalationKey(alertID: alert.id, route: start.route)] = EscalationState(
                    alertID: alert.id, policy: start.policy, route: start.route, position: 0, dueAt: start.dueAt, startedAt: now)
            }
        case .acknowledged:
            cancelPendingPages(alertID: alert.id)
            for (key, var escalation) in escalations where key.alertID == alert.id {
                if let retriggerAt = plan.retriggerAt[key.route] {
                    escalation.acknowledged = true
                    escalation.dueAt = retriggerAt
                    escalations[key] = escalation
                } else {
                    escalations[key] = nil
                }
            }
        case .resolved:
            cancelPendingPages(alertID: alert.id)
            for key in escalations.keys where key.alertID == alert.id { escalations[key] = nil }
            if plan.notifyResolve {
                for target in pagedTargets(alertID: alert.id) { enqueue(alertID: alert.id, route: nil, target: target, position: nil, action: .resolve, at: now) }
            }
        default:
            break
        }
    }

    public func fireDueEscalations(at now: Date, limit: Int, fire: @Sendable (EscalationState, Alert) -> EscalationFiring) -> Int {
        let due = escalations.values.filter { $0.dueAt <= now }.sorted { $0.dueAt < $1.dueAt }.prefix(limit)
        for var escalation in due {
            let key = EscalationKey(alertID: escalation.alertID, route: escalation.route)
            guard var alert = alertsByID[escalation.alertID], alert.status.isOpen else {
                escalations[key] = nil
                continue
            }
            if escalation.acknowledged {
                alert.status = .triggered
                alertsByID[alert.id] = alert
                logByAlert[alert.id, default: []].append(AlertLogEntry(alertID: alert.id, at: now, action: .trigger, change: .retriggered, note: "acknowledged and not resolved within the ack timeout"))
                escalation = EscalationState(alertID: alert.id, policy: escalation.policy, route: escalation.route, position: 0, dueAt: now, startedAt: now)
            }
            let firing = fire(escalation, alert)
            if firing.logNote {
                logByAlert[alert.id, default: []].append(AlertLogEntry(alertID: alert.id, at: now, action: .trigger, change: .escalated, note: firing.note))
            }
            if let postponed = firing.postponeUntil {
                escalation.dueAt = postponed
                escalation.silenced = true
                escalations[key] = escalation
                continue
            }
            escalation.silenced = false
            if let restartedAt = firing.restartedAt { escalation.startedAt = restartedAt }
            for target in firing.targets { enqueue(alertID: alert.id, route: escalation.route, target: target, position: escalation.position, action: .trigger, at: now) }
            if let next = firing.next {
                escalation.position = next.position
                escalation.dueAt = next.dueAt
                escalations[key] = escalation
            } else {
                escalations[key] = nil
            }
        }
        return due.count
    }

    public func claimOutbox(owner: LeaseOwner, at now: Date, leaseFor: Duration, limit: Int) -> [OutboxItem] {
        while outboxHead < outboxOrder.count, outbox[outboxOrder[outboxHead]] == nil { outboxHead += 1 }
        if outboxHead > 4096 {
            outboxOrder.removeFirst(outboxHead)
            outboxHead = 0
        }
        var claimed: [OutboxItem] = []
        var index = outboxHead
        while claimed.count < limit, index < outboxOrder.count {
            defer { index += 1 }
            guard let entry = outbox[outboxOrder[index]] else { continue }
            if let notBefore = notBefore[entry.item.id], notBefore > now { continue }
            if let holder = entry.owner, let until = entry.leaseUntil, until >= now, holder.isAlive() { continue }
            outbox[entry.item.id] = (entry.item, owner, now + leaseFor.timeInterval)
            claimed.append(entry.item)
        }
        return claimed
    }

    public func completeOutbox(_ item: OutboxItem, report: DeliveryReport, retryAt: Date?, at now: Date) -> Bool {
        if retryAt == nil {
            for id in item.digestOf { deliveriesByAlert[id, default: []].append(DeliveryRecord(alertID: id, report: report)) }
        }
        deliveriesByAlert[item.alertID, default: []].append(DeliveryRecord(alertID: item.alertID, report: report))
        noteDelivered(report, alertID: item.alertID)
        if let retryAt {
            outbox[item.id] = (item, nil, nil)
            notBefore[item.id] = retryAt
            return false
        }
        outbox[item.id] = nil
        notBefore[item.id] = nil
        guard let position = item.position else { return false }
        let key = FiringKey(alertID: item.alertID, route: item.route, position: position)
        unfinishedByFiring[key, default: 1] -= 1
        let allFailed = (allFailedByFiring[key] ?? true) && report.outcome.label == "permanent"
        allFailedByFiring[key] = allFailed
        guard unfinishedByFiring[key] == 0 else { return false }
        unfinishedByFiring[key] = nil
        allFailedByFiring[key] = nil
        guard allFailed,
              let route = item.route, var escalation = escalations[EscalationKey(alertID: item.alertID, route: route)],
              !escalation.acknowledged, escalation.position == position + 1, escalation.dueAt > now else { return false }
        escalation.dueAt = now
        escalations[EscalationKey(alertID: item.alertID, route: route)] = escalation
        logByAlert[item.alertID, default: []].append(AlertLogEntry(alertID: item.alertID, at: now, action: .trigger, change: .escalated, note: Self.fallbackNote))
        return true
    }

    public func nextWakeUp() -> Date? {
        let dues = escalations.values.map(\.dueAt)
        let leases = outbox.values.map { $0.leaseUntil ?? notBefore[$0.item.id] ?? $0.item.createdAt }
        let digests = stormHeld.values.compactMap { $0.first?.digestAt }
        return (dues + leases + digests).min()
    }

    public func admitPage(contact: String, alertID: Int64, channel: String, at now: Date, storm: StormControl) -> StormAdmission {
        let windowStart = now - storm.window.timeInterval
        contactPages[contact]?.removeAll { $0.at <= windowStart }
        if let held = stormHeld[contact], let digestAt = held.first?.digestAt {
            if !held.contains(where: { $0.alertID == alertID }) { stormHeld[contact, default: []].append((alertID, channel, digestAt)) }
            return .held(digestAt: digestAt)
        }
        let pages = contactPages[contact] ?? []
        if pages.contains(where: { $0.alertID == alertID }) { return .send }
        if Set(pages.map(\.alertID)).count < storm.maxNewAlerts {
            contactPages[contact, default: []].append((alertID, now))
            return .send
        }
        let digestAt = now + storm.digestWait.timeInterval
        stormHeld[contact] = [(alertID, channel, digestAt)]
        return .held(digestAt: digestAt)
    }

    public func flushStormDigests(at now: Date, storm: StormControl) -> Int {
        var queued = 0
        for (contact, held) in stormHeld.sorted(by: { $0.key < $1.key }) where (held.first?.digestAt ?? .distantFuture) <= now {
            stormHeld[contact] = nil
            let live = held.filter { alertsByID[$0.alertID]?.status == .triggered }
            guard let first = live.first, let newest = live.last else { continue }
            let item = OutboxItem(id: nextOutboxID, alertID: newest.alertID, target: OutboxTarget(channel: first.channel, recipient: contact),
                                  position: nil, action: .trigger, createdAt: now, digestOf: live.dropLast().map(\.alertID))
            nextOutboxID += 1
            outbox[item.id] = (item, nil, nil)
            outboxOrder.append(item.id)
            contactPages[contact, default: []] += live.map { ($0.alertID, now) }
            queued += 1
        }
        return queued
    }

    public func escalation(alertID: Int64) -> EscalationState? {
        escalations.values.filter { $0.alertID == alertID }.min { $0.route < $1.route }
    }

    public func addSilence(_ silence: Silence) -> Silence {
        var stored = silence
        stored.id = nextSilenceID
        nextSilenceID += 1
        silenceList[stored.id] = stored
        return stored
    }

    public func silences(notEndedAt date: Date?) -> [Silence] {
        silenceList.values.filter { date == nil || $0.endsAt > date! }.sorted { $0.id < $1.id }
    }

    public func triggers(kind: AlertKind, field: MatchField, value: String?, since date: Date) -> (count: Int, latest: Date?) {
        var count = 0
        var latest: Date?
        for (id, entries) in logByAlert {
            guard let alert = alertsByID[id], alert.kind == kind, field.value(of: alert) == value else { continue }
            for entry in entries where entry.action == .trigger && (entry.change == .opened || entry.change == .deduplicated) && entry.at >= date {
                count += 1
                latest = max(latest ?? entry.at, entry.at)
            }
        }
        return (count, latest)
    }

    public func recordBeat(_ name: String, at date: Date) {
        beatsByName[name] = (date, beatsByName[name]?.since ?? date)
    }

    public func beats(_ names: [String], at now: Date) -> [String: (lastBeat: Date?, since: Date)] {
        var result: [String: (lastBeat: Date?, since: Date)] = [:]
        for name in names {
            if beatsByName[name] == nil { beatsByName[name] = (nil, now) }
            result[name] = beatsByName[name]
        }
        return result
    }

    public func expireSilence(id: Int64, at now: Date) -> Bool {
        guard var silence = silenceList[id], silence.endsAt > now else { return false }
        silence.endsAt = max(now, silence.startsAt)
        silenceList[id] = silence
        return true
    }

    public func recordDelivery(_ record: DeliveryRecord) {
        deliveriesByAlert[record.alertID, default: []].append(record)
        noteDelivered(record.report, alertID: record.alertID)
    }

    public func alert(id: Int64) -> Alert? { alertsByID[id] }

    public func lastAlertDelivered(to recipient: String, channels: [String]) -> Int64? {
        channels.compactMap { lastDelivered[recipient]?[$0] }.max { $0.sequence < $1.sequence }?.alertID
    }

    private func noteDelivered(_ report: DeliveryReport, alertID: Int64) {
        guard report.outcome.isDelivered, let recipient = report.recipient else { return }
        deliverySequence += 1
        lastDelivered[recipient, default: [:]][report.channel] = (alertID, deliverySequence)
    }

    public func openAlert(dedupKey: String) -> Alert? {
        openIDByKey[dedupKey].flatMap { alertsByID[$0] }
    }

    public func alerts(statuses: Set<AlertStatus>) -> [Alert] {
        alertsByID.values.filter { statuses.contains($0.status) }.sorted { $0.id > $1.id }
    }

    public func deliveries(alertID: Int64) -> [DeliveryRecord] {
        deliveriesByAlert[alertID] ?? []
    }

    public func log(alertID: Int64) -> [AlertLogEntry] {
        logByAlert[alertID] ?? []
    }

    private func enqueue(alertID: Int64, route: String?, target: OutboxTarget, position: Int?, action: EventAction, at now: Date) {
        let item = OutboxItem(id: nextOutboxID, alertID: alertID, route: route, target: target, position: position, action: action, createdAt: now)
        nextOutboxID += 1
        outbox[item.id] = (item, nil, nil)
        outboxOrder.append(item.id)
        if let position { unfinishedByFiring[FiringKey(alertID: alertID, route: route, position: position), default: 0] += 1 }
    }

    /// Pages not yet claimed are dropped once someone acknowledged or resolved the alert.
    private func cancelPendingPages(alertID: Int64) {
        // A storm digest stays: it carries other alerts too (it is re-checked when it goes out).
        for (id, entry) in outbox where entry.item.alertID == alertID && entry.item.action == .trigger && entry.owner == nil && entry.item.digestOf.isEmpty {
            outbox[id] = nil
            if let position = entry.item.position { unfinishedByFiring[FiringKey(alertID: alertID, route: entry.item.route, position: position), default: 1] -= 1 }
        }
    }

    /// Where the alert was delivered, once per channel and contact.
    private func pagedTargets(alertID: Int64) -> [OutboxTarget] {
        var seen: [OutboxTarget] = []
        for record in deliveriesByAlert[alertID] ?? [] where record.report.outcome.isDelivered {
            let target = OutboxTarget(channel: record.report.channel, recipient: record.report.recipient)
            if !seen.contains(target) { seen.append(target) }
        }
        return seen
    }

    static let fallbackNote = "every delivery of the last step failed permanently: escalating now"
}
