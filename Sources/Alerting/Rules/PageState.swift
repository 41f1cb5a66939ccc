import Foundation

/// Whether an alert's current step has reached anyone: what a `notify send` that retries an
/// event must report, whatever dedup did with the event itself.
public enum PageState: Sendable, Hashable {
    /// A page of the current step was delivered (or held back by a throttle or storm control
    /// for a digest to someone who was just paged).
    case reached
    /// Nothing of the current step delivered yet, and a page of it is being sent right now
    /// (by this process or another).
    case inFlight
    /// Nothing of the current step delivered yet: pages are waiting (until `retryAt`, the
    /// earliest).
    case pending(retryAt: Date?)
    /// Every page of the current step failed; `reason` is the last one's.
    case failed(reason: String)
    /// No page has been placed for the alert: its first step is due later, it is silenced, or
    /// no route matches it.
    case notPaged

    /// From the alert's outbox rows and deliveries: the current step is the latest firing of
    /// each route.
    static func of(alertID: Int64, in transaction: any StoreTransaction) throws -> PageState {
        let pages = try transaction.outbox(alertID: alertID).filter { $0.item.action == .trigger && $0.item.position != nil }
        var latest: [String: Int] = [:]
        for row in pages { latest[row.item.route ?? "", default: 0] = max(latest[row.item.route ?? ""] ?? 0, row.item.position ?? 0) }
        let current = pages.filter { latest[$0.item.route ?? ""] == $0.item.position }
        guard !current.isEmpty else { return .notPaged }
        let reachedLabels: Set<String> = ["delivered", "throttled"]
        if current.contains(where: { if case .done(let label) = $0.state { return reachedLabels.contains(label) } else { return false } }) {
            return .reached
        }
        // A page waiting out its person's throttle: they were paged just now, and the next
        // message to them carries it.
        let deliveries = try transaction.deliveries(alertID: alertID)
        let throttled = current.contains { row in
            guard row.isPending else { return false }
            let last = deliveries.last { $0.report.channel == row.item.target.channel && $0.report.recipient == row.item.target.recipient }
            if case .throttled? = last?.report.outcome { return true }
            return false
        }
        if throttled { return .reached }
        if current.contains(where: { if case .claimed = $0.state { return true } else { return false } }) { return .inFlight }
        let waiting = current.filter(\.isPending)
        if !waiting.isEmpty {
            return .pending(retryAt: waiting.compactMap { row in
                if case .pending(let notBefore) = row.state { return notBefore }
                return nil
            }.min())
        }
        let reason = deliveries.last { !$0.report.outcome.isDelivered }?.report.outcome.reason
        return .failed(reason: reason ?? "every page failed")
    }
}

extension OutboxQueue {
    /// Makes the alert's pages that wait for a retry ready now: someone sent its event again
    /// (a script retrying), so try them at once rather than at their retry time. Returns how many.
    public static func retryNow(alertID: Int64, in transaction: any StoreTransaction) throws -> Int {
        var hurried = 0
        for var row in try transaction.outbox(alertID: alertID, forUpdate: true) where row.item.action == .trigger {
            guard case .pending(let notBefore?) = row.state else { continue }
            _ = notBefore
            row.state = .pending(notBefore: nil)
            try transaction.saveOutbox(row)
            hurried += 1
        }
        return hurried
    }
}
