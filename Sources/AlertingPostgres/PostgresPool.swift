import Alerting
import Foundation
import Logging
import NIOConcurrencyHelpers
import PostgresNIO

/// postgres-nio's pool, with what a paging service needs when the database goes away:
///
/// - A lease that does not come within the connect timeout fails with
///   ``PostgresStoreError/unreachable(_:)`` (the pool itself keeps a request waiting for a
///   minute): an event's sender hears 503 in seconds.
/// - During an outage, requests fail at once, except one probe every ``probeInterval``: a
///   stream of events is answered 503 at once, not after a timeout each.
/// - The probe runs on a new pool: the old one backs off its connection attempts up to a
///   minute apart, and notify must resume within seconds of the database's return.
final class PostgresPool: Sendable {
    private struct Current {
        var client: PostgresClient
        var running: Task<Void, Never>
        /// When the last lease failed; nil while the database answers.
        var failedAt: ContinuousClock.Instant?
    }

    static let probeInterval = Duration.seconds(1)
    private let location: PostgresLocation
    private let current: NIOLockedValueBox<Current>

    init(location: PostgresLocation) {
        self.location = location
        current = NIOLockedValueBox(Self.start(location))
    }

    private static func start(_ location: PostgresLocation) -> Current {
        // The pool's own chatter (a lease before run() has started, each failed connection
        // attempt) would repeat what the store reports once, in its own words.
        var logger = Logger(label: "notify.postgres.pool")
        logger.logLevel = .critical
        let client = PostgresClient(configuration: location.clientConfiguration(), backgroundLogger: logger)
        return Current(client: client, running: Task { await client.run() }, failedAt: nil)
    }

    func close() {
        current.withLockedValue { $0.running.cancel() }
    }

    private var unreachable: PostgresStoreError {
        .unreachable("cannot connect to \(location.host):\(location.port) (refused, or no answer within \(DurationParser.brief(location.connectTimeout)))")
    }

    func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let now = ContinuousClock.now
        let client: PostgresClient? = current.withLockedValue { state in
            guard let failedAt = state.failedAt else { return state.client }
            guard now - failedAt >= Self.probeInterval else { return nil }
            // This request probes, on a fresh pool; the others fail at once meanwhile.
            state.running.cancel()
            state = Self.start(location)
            state.failedAt = now
            return state.client
        }
        guard let client else { throw unreachable }
        do {
            let result = try await lease(client, body)
            current.withLockedValue { if $0.client === client { $0.failedAt = nil } }
            return result
        } catch let error as PostgresStoreError {
            current.withLockedValue { if $0.client === client { $0.failedAt = .now } }
            throw error
        } catch where String(reflecting: type(of: error)).contains("ConnectionPool") {
            current.withLockedValue { if $0.client === client { $0.failedAt = .now } }
            throw unreachable
        }
    }

    /// Runs `body` on a connection of `client`, or throws ``unreachable`` when none is leased
    /// within the connect timeout.
    private func lease<T: Sendable>(_ client: PostgresClient, _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let leased = NIOLockedValueBox(false)
        let deadline = location.connectTimeout + .seconds(1)
        let unreachable = self.unreachable
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await client.withConnection { connection in
                    leased.withLockedValue { $0 = true }
                    return try await body(connection)
                }
            }
            group.addTask {
                try await Task.sleep(for: deadline)
                guard leased.withLockedValue({ $0 }) else { throw unreachable }
                return nil  // leased in time: the body's own result decides
            }
            while let result = try await group.next() {
                if let result {
                    group.cancelAll()
                    return result
                }
            }
            throw CancellationError()
        }
    }
}
