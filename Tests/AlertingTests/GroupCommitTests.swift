@testable import Alerting
@testable import AlertingSQLite
import Foundation
import GRDB
import XCTest

/// `serve`'s group commit: concurrent callers share transactions, each is answered with its own
/// events' results after they commit, and one caller's failing events fail only that caller.
final class GroupCommitTests: NotifyTestCase {
    /// Counts write transactions, and holds each for a moment so that callers pile up behind it.
    private final class SlowCountingStore: AlertStore, @unchecked Sendable {
        let wrapped: any AlertStore
        let writes = LockedState(0)

        init(_ wrapped: any AlertStore) { self.wrapped = wrapped }

        func write<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async throws -> T {
            writes.mutate { $0 += 1 }
            try await Task.sleep(for: .milliseconds(20))
            return try await wrapped.write(body)
        }

        func read<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async throws -> T {
            try await wrapped.read(body)
        }
    }

    private func notifier(_ store: any AlertStore) -> Notifier {
        Notifier(store: store, channels: [ScriptedChannel(name: "a")], configuration: Configuration(routes: [Route(name: "all", channels: ["a"])]),
                 clock: ManualClock())
    }

    private static func event(_ key: String) -> AlertEvent {
        AlertEvent(kind: .healthCheckFailure, environment: "prod", source: key, summary: "\(key) down", dedupKey: key)
    }

    func testSixtyFourConcurrentCallersShareAFewTransactionsAndEachGetsItsOwnResults() async throws {
        let store = SlowCountingStore(MemoryAlertStore())
        let commits = GroupCommit(notifier: notifier(store))
        let results = try await withThrowingTaskGroup(of: (Int, [IngestResult]).self) { group in
            for n in 0..<64 {
                // Caller n sends n % 3 + 1 events: its own key, then repeats of it.
                group.addTask { (n, try await commits.ingest(Array(repeating: Self.event("host-\(n)"), count: n % 3 + 1))) }
            }
            return try await group.reduce(into: [Int: [IngestResult]]()) { $0[$1.0] = $1.1 }
        }
        for n in 0..<64 {
            let mine = try XCTUnwrap(results[n])
            XCTAssertEqual(mine.count, n % 3 + 1, "caller \(n): one result per event")
            XCTAssertEqual(mine.map(\.transition.change), [.opened] + Array(repeating: .deduplicated, count: n % 3), "caller \(n)")
            XCTAssertEqual(Set(mine.compactMap(\.transition.alert?.dedupKey)), ["host-\(n)"], "caller \(n): its own alert")
        }
        let writes = store.writes.value
        XCTAssertLessThanOrEqual(writes, 8, "64 callers, \(writes) transactions")
        let open = try await store.read { try $0.alerts(statuses: [.triggered]) }
        XCTAssertEqual(open.count, 64)
    }

    func testACallerWhoseEventsFailFailsAloneAndTheOthersAreRecorded() async throws {
        let path = temporaryStatePath()
        let sqlite = try SQLiteAlertStore(path: path)
        let damaged = try await sqlite.write { tx in
            try tx.insertAlert(AlertStateMachine.newAlert(id: 0, from: Self.event("damaged"), at: Date()))
        }
        try await DatabaseQueue(path: path).write { db in try db.execute(sql: "UPDATE alerts SET status = 'half-open' WHERE id = \(damaged)") }
        let store = SlowCountingStore(sqlite)
        let commits = GroupCommit(notifier: notifier(store))
        let outcomes = await withTaskGroup(of: (String, Result<[IngestResult], any Error>).self) { group in
            for key in ["host-1", "damaged", "host-2", "host-3"] {
                group.addTask {
                    do { return (key, .success(try await commits.ingest([Self.event(key)]))) } catch { return (key, .failure(error)) }
                }
            }
            return await group.reduce(into: [String: Result<[IngestResult], any Error>]()) { $0[$1.0] = $1.1 }
        }
        for key in ["host-1", "host-2", "host-3"] {
            guard case .success(let results)? = outcomes[key] else { return XCTFail("\(key) failed with the damaged row's caller: \(String(describing: outcomes[key]))") }
            XCTAssertEqual(results.map(\.transition.change), [.opened], key)
        }
        guard case .failure(let error)? = outcomes["damaged"] else { return XCTFail("the damaged row's caller was answered") }
        XCTAssertTrue(error is StoreDecodingError, "\(error)")
        let open = try await sqlite.read { tx in try ["host-1", "host-2", "host-3"].compactMap { try tx.openAlert(dedupKey: $0)?.dedupKey } }
        XCTAssertEqual(open, ["host-1", "host-2", "host-3"])
    }
}
