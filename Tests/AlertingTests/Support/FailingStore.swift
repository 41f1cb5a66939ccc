@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import Foundation

/// A store that fails its next `failures` transactions (a locked state file, a database
/// restarting), then behaves as the store it wraps.
final class FailingStore: AlertStore, @unchecked Sendable {
    struct Unavailable: Error, CustomStringConvertible {
        var description: String { "database is locked" }
    }

    let wrapped: any AlertStore
    private let remaining: LockedState<Int>

    init(_ wrapped: any AlertStore, failures: Int) {
        self.wrapped = wrapped
        self.remaining = LockedState(failures)
    }

    func fail(next count: Int) { remaining.mutate { $0 = count } }

    private func check() throws {
        let fail = remaining.mutate { count -> Bool in
            guard count > 0 else { return false }
            count -= 1
            return true
        }
        if fail { throw Unavailable() }
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async throws -> T {
        try check()
        return try await wrapped.write(body)
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async throws -> T {
        try check()
        return try await wrapped.read(body)
    }
}
