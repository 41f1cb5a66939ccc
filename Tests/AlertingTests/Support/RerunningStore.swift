@testable import Alerting
import Foundation

/// A store whose every write body runs twice, as a store that lost a race runs it (the
/// contract in ``AlertStore``): first in a transaction that is rolled back once the body has
/// finished, then for real. Whatever a body does besides writing through its transaction
/// (counting, logging, sending) then shows twice.
final class RerunningStore: AlertStore, @unchecked Sendable {
    private struct RolledBack: Error {}

    let wrapped: any AlertStore
    /// How many bodies ran and were thrown away.
    let discarded = LockedState(0)

    init(_ wrapped: any AlertStore) {
        self.wrapped = wrapped
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async throws -> T {
        do {
            _ = try await wrapped.write { transaction -> T in
                _ = try body(transaction)
                throw RolledBack()
            }
        } catch is RolledBack {
            discarded.mutate { $0 += 1 }
        }
        return try await wrapped.write(body)
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async throws -> T {
        try await wrapped.read(body)
    }
}
