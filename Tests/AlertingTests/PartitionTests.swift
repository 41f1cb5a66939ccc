@testable import Alerting
@testable import AlertingSQLite
import Foundation
import XCTest

/// An instance cut from its database while it delivers (#19): its packets dropped, every call
/// to the store hangs. It must start no delivery on claims it can no longer renew, so that what
/// goes out twice (once by it, once by the instance that takes its claims over when their lease
/// ends) is at most what it had in flight at the cut.
final class PartitionTests: NotifyTestCase {
    /// A store whose calls hang from `cut()` on, as over a link whose packets are dropped; it
    /// remembers when a call last came back.
    final class PartitionedStore: AlertStore, @unchecked Sendable {
        let wrapped: any AlertStore
        private let state = LockedState<(cut: Bool, lastAnswer: ContinuousClock.Instant)>((false, .now))

        init(_ wrapped: any AlertStore) { self.wrapped = wrapped }

        func cut() { state.mutate { $0.cut = true } }
        var lastAnswer: ContinuousClock.Instant { state.value.lastAnswer }

        private func pass<T>(_ call: () async throws -> T) async throws -> T {
            if state.value.cut { try await Task.sleep(for: .seconds(3600)) }
            let result = try await call()
            state.mutate { $0.lastAnswer = .now }
            return result
        }

        func write<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async throws -> T {
            try await pass { try await wrapped.write(body) }
        }

        func read<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async throws -> T {
            try await pass { try await wrapped.read(body) }
        }
    }

    /// A provider that takes `latency` per message and remembers when each started.
    final class TimedChannel: Channel, @unchecked Sendable {
        let name: String
        let template: TemplateSelector? = nil
        let capabilities = ChannelCapabilities()
        let latency: Duration
        private let started = LockedState<[(alertID: Int64, at: ContinuousClock.Instant)]>([])

        init(name: String, latency: Duration) {
            self.name = name
            self.latency = latency
        }

        var starts: [(alertID: Int64, at: ContinuousClock.Instant)] { started.value }

        func deliver(_ notification: Alerting.Notification) async -> DeliveryOutcome {
            started.mutate { $0.append((notification.alert.id, .now)) }
            try? await Task.sleep(for: latency)
            return .delivered(providerID: nil)
        }
    }

    func testAnInstanceCutFromItsDatabaseStartsNothingMoreAndDuplicatesAtMostWhatWasInFlight() async throws {
        let path = temporaryStatePath()
        let slots = 4
        let lease = Duration.milliseconds(900)
        let configuration = Configuration(
            routes: [Route(name: "all", matchers: [], targets: [RouteTarget(channel: "slack")])],
            delivery: .init(outbox: OutboxSettings(leaseDuration: lease, maxConcurrentDeliveries: slots)))
        let cutStore = PartitionedStore(try SQLiteAlertStore(path: path))
        let slackA = TimedChannel(name: "slack", latency: .milliseconds(150))
        let slackB = TimedChannel(name: "slack", latency: .milliseconds(10))
        let a = Notifier(store: cutStore, channels: [slackA], configuration: configuration)
        let b = Notifier(store: try SQLiteAlertStore(path: path), channels: [slackB], configuration: configuration)
        let count = 40
        _ = try await a.ingest((1...count).map { AlertEvent(kind: .failover, environment: "prod", summary: "db-\($0) failed over", dedupKey: "db-\($0)") })

        let running = Task { try await a.runDue() }
        let underWay = await eventually(within: .seconds(5)) { slackA.starts.count >= 2 * slots }
        XCTAssertTrue(underWay)
        cutStore.cut()
        try await Task.sleep(for: .milliseconds(400))
        let lastAnswer = cutStore.lastAnswer
        let startedAfter = slackA.starts.filter { $0.at > lastAnswer + .milliseconds(5) }
        XCTAssertEqual(startedAfter.map(\.alertID), [], "no delivery started once the database stopped answering")

        // B takes the cut-off instance's claims over when their lease ends, and sends the rest.
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            _ = try await b.runDue()
            let sent = Set(slackA.starts.map(\.alertID)).union(slackB.starts.map(\.alertID))
            if sent.count == count { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        running.cancel()
        let byA = Set(slackA.starts.map(\.alertID)), byB = Set(slackB.starts.map(\.alertID))
        XCTAssertEqual(byA.union(byB), Set(1...Int64(count)), "every alert paged")
        let twice = byA.intersection(byB)
        XCTAssertLessThanOrEqual(twice.count, slots, "at most what was in flight at the cut went twice: \(twice.sorted())")
    }
}
