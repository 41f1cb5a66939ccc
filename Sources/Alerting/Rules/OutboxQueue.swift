import Foundation

/// The outbox as a queue several processes share: an item is claimed with a lease, delivered,
/// and completed; a claim whose lease ran out, or whose holder is gone, is taken back.
public enum OutboxQueue {
    static let fallbackNote = "every delivery of the last step failed permanently: escalating now"

    /// Claims up to `limit` items for `owner` until `now + leaseFor`: pending ones, and claimed
    /// ones whose lease ran out or whose holder is certainly gone (same host, no such process).
    /// Each is first in its line (channel and dedup key: an incident's page before its resolve
    /// notice, before the key's next incident). None of `excludingChannels` (their slots are
    /// full), and at most `perChannel[name]` of a channel that has a limit there.
    public static func claim(owner: LeaseOwner, at now: Date, leaseFor: Duration, limit: Int, excludingChannels: [String] = [],
                             perChannel: [String: Int] = [:], in transaction: any StoreTransaction) throws -> [OutboxItem] {
        try claimWithAlerts(owner: owner, at: now, leaseFor: leaseFor, limit: limit, excludingChannels: excludingChannels, perChannel: perChannel,
                            in: transaction).items
    }

    /// ``claim(owner:at:leaseFor:limit:excludingChannels:perChannel:in:)``, with the claimed
    /// items' alerts (read to find their lines).
    static func claimWithAlerts(owner: LeaseOwner, at now: Date, leaseFor: Duration, limit: Int, excludingChannels: [String] = [],
                                perChannel: [String: Int] = [:], in transaction: any StoreTransaction) throws -> (items: [OutboxItem], alerts: [Int64: Alert]) {
        let gone = try transaction.leaseOwners(at: now).filter { LeaseOwner($0)?.isAlive() == false }
        var candidates = try transaction.claimCandidates(at: now, ownersGone: gone, excludingChannels: excludingChannels, limit: limit)
        guard !candidates.isEmpty else { return ([], [:]) }
        var alerts = Dictionary(try transaction.alerts(ids: Array(Set(candidates.map(\.item.alertID)))).map { ($0.id, $0) },
                                uniquingKeysWith: { first, _ in first })
        let firsts = try firstOfLines(Set(alerts.values.map(\.dedupKey)), in: transaction)
        // A line's first row may lie beyond the candidates (the first `limit` by id): a resolve
        // notice queued after a later incident's page, when the page that precedes it was
        // delivered late. Left there, the rows it holds back would fill every window and nothing
        // would be claimed: the first rows of the held lines are read and claimed instead.
        let heads = Set(candidates.compactMap { row -> Int64? in
            guard let key = alerts[row.item.alertID]?.dedupKey, let first = firsts[Line(row.item.target, dedupKey: key)],
                  first != Line.place(alertID: row.item.alertID, action: row.item.action, id: row.item.id) else { return nil }
            return first.last
        }).subtracting(candidates.map(\.item.id))
        if !heads.isEmpty {
            let claimable = try transaction.outboxRows(ids: heads.sorted(), forUpdate: true).filter {
                !excludingChannels.contains($0.item.target.channel) && isClaimable($0, at: now, ownersGone: gone)
            }
            for alert in try transaction.alerts(ids: Array(Set(claimable.map(\.item.alertID)))) { alerts[alert.id] = alert }
            candidates = (claimable + candidates).sorted { $0.item.id < $1.item.id }
        }
        // One page at a time per person and channel: the one admitted carries the others
        // waiting for them in its digest, instead of each going out (or being throttled) alone.
        var seen: Set<OutboxTarget> = []
        var taken: [String: Int] = [:]
        let rows = try candidates.filter { row in
            let channel = row.item.target.channel
            if let key = alerts[row.item.alertID]?.dedupKey, let first = firsts[Line(row.item.target, dedupKey: key)],
               first != Line.place(alertID: row.item.alertID, action: row.item.action, id: row.item.id) { return false }
            if let room = perChannel[channel], taken[channel, default: 0] >= room { return false }
            if let recipient = row.item.target.recipient, row.item.action == .trigger {
                guard seen.insert(row.item.target).inserted else { return false }
                let busy = try transaction.openOutbox(recipient: recipient).contains { other in
                    guard other.item.id != row.item.id, other.item.target == row.item.target, case .claimed(let owner, let until) = other.state else { return false }
                    return until >= now && !gone.contains(owner)
                }
                guard !busy else { return false }
            }
            taken[channel, default: 0] += 1
            return true
        }
        try transaction.setOutboxState(.claimed(owner: owner.description, until: now + leaseFor.timeInterval), ids: rows.map(\.item.id))
        return (rows.map(\.item), alerts)
    }

    /// Whether a row may be claimed now: pending and due, or claimed by a holder that is gone or
    /// whose lease ran out (what `claimCandidates` selects).
    private static func isClaimable(_ row: OutboxRow, at now: Date, ownersGone: [String]) -> Bool {
        switch row.state {
        case .pending(let notBefore): notBefore.map { $0 <= now } ?? true
        case .claimed(let owner, let until): until < now || ownersGone.contains(owner)
        case .done: false
        }
    }

    /// An outbox line: the pages of one dedup key to one channel and person (or place). They
    /// go out in the order of their events: an incident's pages, then its resolve notice, then
    /// the key's next incident; a row is claimed only when it comes first among its line's open
    /// rows.
    struct Line: Hashable {
        var channel: String
        var recipient: String?
        var dedupKey: String

        init(_ target: OutboxTarget, dedupKey: String) {
            self.channel = target.channel
            self.recipient = target.recipient
            self.dedupKey = dedupKey
        }

        /// Where a row stands in its line: by alert, pages before resolve notices, then by id.
        static func place(alertID: Int64, action: EventAction, id: Int64) -> [Int64] {
            [alertID, action == .resolve ? 1 : 0, id]
        }
    }

    /// The place of the first open row of each line of `keys`.
    private static func firstOfLines(_ keys: Set<String>, in transaction: any StoreTransaction) throws -> [Line: [Int64]] {
        guard !keys.isEmpty else { return [:] }
        var first: [Line: [Int64]] = [:]
        for open in try transaction.openOutboxPlaces(dedupKeys: keys.sorted()) {
            let line = Line(open.target, dedupKey: open.dedupKey)
            let place = Line.place(alertID: open.alertID, action: open.action, id: open.id)
            if let earlier = first[line], earlier.lexicographicallyPrecedes(place) { continue }
            first[line] = place
        }
        return first
    }

    /// Extends the claims `owner` still holds on `ids` to `until`, so a delivery that runs
    /// longer than the lease (a slow gateway, retries) is not taken over and sent twice.
    /// Returns the ids whose claim was lost (another process took them after the lease ran out).
    public static func renew(_ ids: [Int64], owner: LeaseOwner, until: Date, in transaction: any StoreTransaction) throws -> [Int64] {
        // Read and written as sets: one instance's claims can be hundreds.
        let held = Set(try transaction.outboxRows(ids: ids, forUpdate: true).compactMap { row -> Int64? in
            guard case .claimed(let holder, _) = row.state, holder == owner.description else { return nil }
            return row.item.id
        })
        let kept = ids.filter(held.contains)
        try transaction.setOutboxState(.claimed(owner: owner.description, until: until), ids: kept)
        return ids.filter { !held.contains($0) }
    }

    /// The alert was resolved while this page was owed or on its way: the place it reached
    /// hears of the resolution too (once).
    private static func followWithResolveNotice(_ item: OutboxItem, at now: Date, wantsResolveNotice: (Alert, OutboxTarget) -> Bool,
                                                in transaction: any StoreTransaction) throws {
        // The alert is locked first: two instances finishing pages of it add one notice, not two.
        guard try transaction.alertStatus(id: item.alertID) == .resolved, let alert = try transaction.alert(id: item.alertID, forUpdate: true),
              wantsResolveNotice(alert, item.target) else { return }
        let rows = try transaction.outbox(alertID: item.alertID)
        guard !rows.contains(where: { $0.item.action == .resolve && $0.item.target == item.target }) else { return }
        let resolve = try transaction.log(alertID: item.alertID).last { $0.change == .resolved }
        let event = AlertEvent(kind: alert.kind, action: .resolve, dedupKey: alert.dedupKey, actor: resolve?.actor, note: resolve?.note)
        _ = try transaction.insertOutbox(OutboxItem(id: 0, alertID: item.alertID, target: item.target, position: nil, action: .resolve, createdAt: now, event: event))
    }

    /// One claimed item's outcome, for ``complete(_:at:wantsResolveNotice:in:)``.
    public struct Completion: Sendable {
        public var item: OutboxItem
        public var report: DeliveryReport
        public var retryAt: Date?
        public var carried: [OutboxItem]
        public var alert: Alert?

        public init(item: OutboxItem, report: DeliveryReport, retryAt: Date?, carried: [OutboxItem] = [], alert: Alert? = nil) {
            self.item = item
            self.report = report
            self.retryAt = retryAt
            self.carried = carried
            self.alert = alert
        }
    }

    /// Records a round's outcomes, as ``complete(_:report:retryAt:at:carried:alert:wantsResolveNotice:in:)``
    /// does each, with the plain deliveries (delivered, nothing carried, no resolve notice to
    /// follow) marked done in one statement. Returns the alerts whose next step it made due.
    public static func complete(_ completions: [Completion], at now: Date, wantsResolveNotice: (Alert, OutboxTarget) -> Bool = { _, _ in false },
                                in transaction: any StoreTransaction) throws -> Set<Int64> {
        var plain: [Int64] = []
        var escalated: Set<Int64> = []
        for done in completions {
            let followed = done.item.action == .trigger && done.alert.map { wantsResolveNotice($0, done.item.target) } ?? true
            if done.retryAt == nil, done.report.outcome.isDelivered, done.item.digestOf.isEmpty, done.carried.isEmpty, !followed {
                try transaction.insertDelivery(DeliveryRecord(alertID: done.item.alertID, report: done.report))
                plain.append(done.item.id)
            } else if try complete(done.item, report: done.report, retryAt: done.retryAt, at: now, carried: done.carried, alert: done.alert,
                                   wantsResolveNotice: wantsResolveNotice, in: transaction) {
                escalated.insert(done.item.alertID)
            }
        }
        try transaction.setOutboxState(.done(outcome: DeliveryOutcome.delivered(providerID: nil).label), ids: plain)
        return escalated
    }

    /// Records a claimed item's outcome (the delivery, every attempt). With `retryAt`, the item
    /// goes back to the queue to be tried again then; otherwise it is finished. When every item
    /// of its firing has now failed permanently, the next step becomes due at once (fallback)
    /// and this returns true. A page delivered for an alert that was resolved meanwhile is
    /// followed by a resolve notice to the same place, when `wantsResolveNotice` says so.
    /// - Parameter carried: other waiting pages the message carried in its digest (claimed with
    ///   it): once it is delivered they are done too (each alert's timeline shows the delivery);
    ///   when it is not, they are owed again, from `retryAt` or at once.
    /// - Parameter alert: the item's alert as read when it was claimed, if the caller has it:
    ///   its routes do not change, so when none of them wants a resolve notice nothing is read.
    public static func complete(_ item: OutboxItem, report: DeliveryReport, retryAt: Date?, at now: Date, carried: [OutboxItem] = [],
                                alert: Alert? = nil, wantsResolveNotice: (Alert, OutboxTarget) -> Bool = { _, _ in false },
                                in transaction: any StoreTransaction) throws -> Bool {
        if retryAt == nil {
            // The alerts a digest carried went out (or failed) with it.
            for id in item.digestOf { try transaction.insertDelivery(DeliveryRecord(alertID: id, report: report)) }
        }
        try transaction.insertDelivery(DeliveryRecord(alertID: item.alertID, report: report))
        if let retryAt {
            try transaction.saveOutbox(OutboxRow(item: item, state: .pending(notBefore: retryAt)))
            return false
        }
        try transaction.saveOutbox(OutboxRow(item: item, state: .done(outcome: report.outcome.label)))
        // The pages it carried, still held by this claim, share its fate.
        let held = try carried.filter { waiting in
            if case .claimed? = try transaction.outboxRow(id: waiting.id, forUpdate: true)?.state { return true }
            return false
        }
        if report.outcome.isDelivered {
            for waiting in held {
                try transaction.saveOutbox(OutboxRow(item: waiting, state: .done(outcome: report.outcome.label)))
                try transaction.insertDelivery(DeliveryRecord(alertID: waiting.alertID, report: report))
            }
        } else {
            try transaction.setOutboxState(.pending(notBefore: retryAt), ids: held.map(\.id))
        }
        if item.action == .trigger, item.digestOf.isEmpty, report.outcome.isDelivered, alert.map({ wantsResolveNotice($0, item.target) }) ?? true {
            try followWithResolveNotice(item, at: now, wantsResolveNotice: wantsResolveNotice, in: transaction)
        }
        // Only a permanent failure can complete a step in which everything failed.
        guard report.outcome.label == DeliveryOutcome.permanentLabel, let position = item.position, let route = item.route else { return false }
        let firing = try transaction.outbox(alertID: item.alertID).filter { $0.item.route == route && $0.item.position == position }
        let allFailed = firing.allSatisfy { $0.state == .done(outcome: DeliveryOutcome.permanentLabel) }
        guard allFailed,
              var next = try transaction.escalations(alertID: item.alertID, forUpdate: true).first(where: { $0.route == route }),
              next.position == position + 1, !next.acknowledged, next.dueAt > now else { return false }
        next.dueAt = now
        try transaction.saveEscalation(next)
        try transaction.appendLog(AlertLogEntry(alertID: item.alertID, at: now, action: .trigger, change: .escalated, note: fallbackNote))
        return true
    }
}
