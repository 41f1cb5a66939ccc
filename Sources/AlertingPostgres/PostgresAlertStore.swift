import Alerting
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PostgresNIO

/// An ``AlertStore`` in PostgreSQL, shared by any number of notify instances on any hosts.
///
/// A write transaction runs at READ COMMITTED and locks what it reads to change: an alert, its
/// escalations, an outbox row (`FOR UPDATE`), a contact's throttle and storm ledgers (a
/// transaction advisory lock); due escalations and claimable outbox rows are taken with
/// `FOR UPDATE SKIP LOCKED`, so two instances never fire the same step or claim the same item,
/// and neither waits for the other. A transaction that loses a race (a deadlock, the second
/// insert of an open alert's dedup key, a serialization failure) is run again from the start.
/// The rules above see the same row verbs as in SQLite and apply unchanged.
///
/// The seam's transactions are synchronous; each runs on a thread of this store's own pool
/// and waits there for the answers it needs (``PostgresTransaction``), never on an event loop or
/// in Swift's cooperative pool.
public final class PostgresAlertStore: AlertStore, SharedAlertStore, @unchecked Sendable {
    public let location: PostgresLocation
    private let pool: PostgresPool
    private let threads: NIOThreadPool
    let logger: Logger
    /// The channel that a transaction which recorded work notifies, and instances listen on.
    static let workChannel = "notify_work"

    /// Connects and brings the schema up to date (one instance migrates; the others wait on
    /// an advisory lock and then find the schema current).
    public init(location: PostgresLocation, logger: Logger = Logger(label: "notify.postgres")) async throws {
        self.location = location
        self.logger = logger
        pool = PostgresPool(location: location)
        threads = NIOThreadPool(numberOfThreads: 8)
        threads.start()
        do {
            try await PostgresMigrator(location: location, logger: logger).migrate(self)
        } catch {
            close()
            if let error = error as? PostgresStoreError { throw error }
            throw PostgresStoreError.unreachable(Self.describe(error))
        }
    }

    public convenience init(url: String, logger: Logger = Logger(label: "notify.postgres")) async throws {
        try await self.init(location: PostgresLocation(url), logger: logger)
    }

    deinit { close() }

    /// Stops the connection pool; transactions after this fail.
    public func close() {
        pool.close()
        try? threads.syncShutdownGracefully()
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async throws -> T {
        try await transaction(writing: true, body)
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async throws -> T {
        try await transaction(writing: false, body)
    }

    /// How many times a transaction that lost a race is run again before its error is passed on.
    static let maxAttempts = 20

    /// How many write transactions lost a race and ran again (for tests and `status`).
    package let rerunCount = LockedBox(0)
    /// Server errors (SQLSTATE) the next write transactions raise just before they commit, as
    /// a real race would: the test hook that proves a body run twice does everything once.
    private let injectedFailures = LockedBox<[String]>([])

    /// Makes each of the next write transactions fail with `sqlState` (raised by the server)
    /// after its body has run, just before its commit.
    package func failNextCommits(with sqlStates: [String]) {
        injectedFailures.withLock { $0 += sqlStates }
    }

    private func transaction<T: Sendable>(writing: Bool, _ body: @escaping @Sendable (any StoreTransaction) throws -> T) async throws -> T {
        var attempt = 1
        while true {
            let injected = writing ? injectedFailures.withLock { $0.isEmpty ? nil : $0.removeFirst() } : nil
            do {
                return try await withConnection { [threads, logger] connection in
                    try await threads.runIfActive {
                        let transaction = PostgresTransaction(connection: connection, writing: writing, logger: logger, failBeforeCommit: injected)
                        return try transaction.run(body)
                    }
                }
            } catch let error as PSQLError where attempt < Self.maxAttempts && Self.isLostRace(error) {
                attempt += 1
                rerunCount.withLock { $0 += 1 }
                // Apart a little, at random, so that the two racers do not meet again.
                try await Task.sleep(for: .milliseconds(Int64.random(in: 1...(5 * Int64(min(attempt, 10))))))
            } catch let error as PSQLError {
                throw PostgresStoreError.unreachable(Self.describe(error))
            }
        }
    }

    /// A connection from the pool (see ``PostgresPool``).
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await pool.withConnection(body)
    }

    /// Deadlock, serialization failure, or the unique index on open dedup keys: the transaction
    /// lost a race with another instance's and is run again.
    static func isLostRace(_ error: PSQLError) -> Bool {
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return ["40001", "40P01", "23505"].contains(state)
    }

    /// One line, with the server's message when there is one, and never the password (PSQLError's
    /// own description leaves out the query and the connection's secrets, but says little).
    static func describe(_ error: Error) -> String {
        if let error = error as? PostgresStoreError { return "\(error)".replacingOccurrences(of: "PostgreSQL: ", with: "") }
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                return "\(message) (SQLSTATE \(error.serverInfo?[.sqlState] ?? "?"))"
            }
            return "\(error.code)"
        }
        return "\(error)"
    }

    // MARK: SharedAlertStore

    public func databaseNow() async throws -> Date {
        try await read { transaction in try (transaction as! PostgresTransaction).now() }
    }

    public func listenForWork(_ onWork: @escaping @Sendable () -> Void) async throws {
        try await withConnection { connection in
            try await connection.listen(on: Self.workChannel) { notifications in
                for try await _ in notifications { onWork() }
            }
        }
    }
}
