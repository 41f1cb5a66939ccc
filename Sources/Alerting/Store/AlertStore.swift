import Foundation

/// Where alert state lives: a small transactional seam, the way Hummingbird's `PersistDriver`
/// sits beside `MemoryPersistDriver`. A store runs transactions of plain row verbs
/// (``StoreTransaction``) and decides nothing. Dedup, escalation, the outbox's leases and
/// fallback, storm control, throttles and the detectors live above it, written once
/// (``AlertRecorder``, ``EscalationFirer``, ``OutboxQueue``, ``StormGate``, ``ThrottleGate``,
/// ``Detector``), so every store applies the same rules and passes the same conformance suite.
///
/// ## The contract
///
/// - **Atomic and isolated.** A transaction's body sees its own writes; either all of them are
///   kept or, when the body throws, none.
/// - **A write body may run more than once.** A store whose transaction lost a race (in
///   PostgreSQL: a deadlock, a serialization failure, a second insert of an open alert's dedup
///   key) rolls it back and runs the body again from the start. So a body touches only the
///   transaction: it sends nothing, logs nothing, counts nothing and changes nothing outside
///   itself. It returns what happened, and the caller logs, counts and delivers after
///   ``write(_:)`` returns: once, and only for what was committed.
/// - **Locks are taken by name.** A rule that reads a row in order to change it asks for it
///   "for update" (`alert(id:forUpdate:)`, `openAlert(dedupKey:forUpdate:)`,
///   `escalations(alertID:forUpdate:)`, `outbox(alertID:forUpdate:)`,
///   `outboxRow(id:forUpdate:)`, `silence(id:forUpdate:)`, `beat(name:forUpdate:)`), and takes
///   a contact's ledger (``LedgerRows/lockLedger(_:)``) before it reads it. A store with
///   concurrent writers holds each such lock until the transaction ends; a store whose writers
///   take turns (memory, SQLite) may implement them as nothing. Plain reads never lock, and
///   the claiming reads (`dueEscalations`, `claimCandidates`) skip rows another transaction
///   holds.
/// - **A row that cannot be read is an error.** A stored value that cannot be decoded throws
///   ``StoreDecodingError`` naming the table, the column and the row: never a default (a due
///   time read as 1970 would be "due now"). The payloads the engine can show damaged (an
///   alert's details and links, an outbox item's event, a delivery's attempts, a silence's
///   matchers) are read as damaged and said so instead: a page still goes out.
///
/// `Tests/AlertingTests/StoreConformance/` holds the suite every store passes, each verb called
/// on every store, and a body run twice checked to count and page once.
public protocol AlertStore: Sendable {
    /// Runs `body` in one write transaction, again from the start if the transaction lost a race.
    func write<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async throws -> T

    /// Runs `body` with a consistent view of the store; it must not write.
    func read<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async throws -> T
}

/// The plain row verbs a store offers inside a transaction, one small protocol per aggregate, so
/// that a store can be built and tested a part at a time. Each verb is a lookup, an insert, an
/// update, a delete or a lock; none applies a rule of its own.
public protocol StoreTransaction: AlertRows, EscalationRows, OutboxRows, LedgerRows, SilenceRows, HeartbeatRows, InstanceRows, ChangeRows, OverrideRows {}
