import Foundation

/// The outbox: every page and notice owed, claimed with a lease while it is delivered.
public protocol OutboxRows: AnyObject {
    /// Stores a new item (its `id` is ignored) as pending and returns its id.
    func insertOutbox(_ item: OutboxItem) throws -> Int64
    /// `forUpdate`: locked until the transaction ends.
    func outboxRow(id: Int64, forUpdate: Bool) throws -> OutboxRow?
    /// The rows with these ids, in any order, in one statement where the store can (an
    /// instance's claims, renewed together); `forUpdate` as above.
    func outboxRows(ids: [Int64], forUpdate: Bool) throws -> [OutboxRow]
    /// Every outbox row of one alert, by id; `forUpdate`: locked until the transaction ends (a
    /// claim elsewhere then waits, and cannot take a row this transaction drops).
    func outbox(alertID: Int64, forUpdate: Bool) throws -> [OutboxRow]
    /// Rows that may be claimed at `now`, by id, at most `limit`: pending ones not held back
    /// past `now`, and claimed ones whose lease ended before `now` or whose owner is in
    /// `ownersGone`; none of a channel in `excludingChannels`. A store shared by several
    /// processes locks the rows it returns until the transaction ends and skips rows another
    /// transaction holds.
    func claimCandidates(at now: Date, ownersGone: [String], excludingChannels: [String], limit: Int) throws -> [OutboxRow]
    /// The owners of claims whose lease has not ended at `now`.
    func leaseOwners(at now: Date) throws -> [String]
    func saveOutbox(_ row: OutboxRow) throws
    /// Writes one state to the rows with these ids (a round's claims, in one statement).
    func setOutboxState(_ state: OutboxRow.State, ids: [Int64]) throws
    func deleteOutbox(id: Int64) throws
    /// The earliest time an outbox row may need attention: a pending row's ready time or a
    /// claim's lease end.
    func earliestOutboxTime() throws -> Date?
    /// Rows not done (pending or claimed) for one recipient, by id.
    func openOutbox(recipient: String) throws -> [OutboxRow]
    /// Where the rows not done (pending or claimed) of the alerts (open or resolved) with one
    /// of these dedup keys stand, by id: the lines the claimed rows wait in. Places, not rows:
    /// a claim reads them every round, and needs no event or digest decoded.
    func openOutboxPlaces(dedupKeys: [String]) throws -> [OutboxPlace]
    /// How many rows are pending, and how many claimed rows each lease owner holds.
    func outboxCounts() throws -> OutboxCounts
}

extension OutboxRows {
    /// The row, read without a lock.
    public func outboxRow(id: Int64) throws -> OutboxRow? { try outboxRow(id: id, forUpdate: false) }
    /// The alert's rows, read without a lock.
    public func outbox(alertID: Int64) throws -> [OutboxRow] { try outbox(alertID: alertID, forUpdate: false) }
}

/// Where an open outbox row stands among the pages of its dedup key (``OutboxRows/openOutboxPlaces(dedupKeys:)``).
public struct OutboxPlace: Sendable, Hashable {
    public var dedupKey: String
    public var id: Int64
    public var alertID: Int64
    public var action: EventAction
    public var target: OutboxTarget

    public init(dedupKey: String, id: Int64, alertID: Int64, action: EventAction, target: OutboxTarget) {
        self.dedupKey = dedupKey
        self.id = id
        self.alertID = alertID
        self.action = action
        self.target = target
    }
}
