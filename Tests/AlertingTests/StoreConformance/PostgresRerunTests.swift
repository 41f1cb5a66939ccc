@testable import Alerting
@testable import AlertingPostgres
import Foundation
import MetricsTestKit
import XCTest

/// PostgreSQL runs a write body again when its transaction loses a race. These make it happen
/// for real (a deadlock and a serialization failure raised by the server at commit, and a
/// second insert of an open alert's dedup key) and check that nothing is recorded, counted or
/// paged twice.
final class PostgresRerunTests: NotifyTestCase {
    private struct Setup {
        var store: PostgresAlertStore
        var notifier: Notifier
        var pager: ScriptedChannel
        var metrics: TestMetrics
    }

    private func setup() async throws -> Setup? {
        guard let store = try await TestStores.postgres() else { return nil }
        let metrics = TestMetrics()
        let pager = ScriptedChannel(name: "pager")
        let notifier = Notifier(store: store, channels: [pager], configuration: Configuration(routes: [Route(name: "all", channels: ["pager"])]),
                                metrics: NotifyMetrics(factory: metrics))
        return Setup(store: store, notifier: notifier, pager: pager, metrics: metrics)
    }

    func testADeadlockOrASerializationFailureAtCommitRunsTheBodyAgainAndPagesOnce() async throws {
        guard let setup = try await setup() else { return }
        // The first three write transactions (the event's, the round that claims its page, the
        // round that records the delivery) each fail when their body is done.
        setup.store.failNextCommits(with: ["40P01", "40001", "40P01"])
        let result = try await setup.notifier.process(AlertEvent(kind: .failover, environment: "prod", source: "db-1", summary: "failed over"))
        XCTAssertEqual(result.transition.change, .opened)
        try await setup.notifier.runDue()
        XCTAssertEqual(setup.store.rerunCount.withLock { $0 }, 3, "each injected failure ran its body again")
        let alertID = try XCTUnwrap(result.alert?.id)
        let (alerts, log, deliveries, outbox) = try await setup.store.read { tx in
            (try tx.alerts(statuses: Set(AlertStatus.allCases)), try tx.log(alertID: alertID), try tx.deliveries(alertID: alertID), try tx.outbox(alertID: alertID))
        }
        XCTAssertEqual(setup.pager.received.count, 1, "paged once")
        XCTAssertEqual(alerts.count, 1)
        XCTAssertEqual(log.map(\.change), [.opened, .escalated])
        XCTAssertEqual(deliveries.count, 1)
        XCTAssertEqual(outbox.map(\.state), [.done(outcome: "delivered")])
        XCTAssertEqual(setup.metrics.counterTotal(label: NotifyMetrics.eventsReceived), 1)
        XCTAssertEqual(try setup.metrics.expectTimer(NotifyMetrics.escalationLag).values.count, 1)
        XCTAssertEqual(setup.metrics.counterTotal(label: NotifyMetrics.notifications), 1)
        setup.store.close()
    }

    /// Another instance opens the same key first and commits while this one's insert waits on
    /// the unique index: this one's transaction fails (23505), runs again, and finds the alert
    /// open: a repeat, not a second alert, and the first step it had fired is not counted.
    func testASecondInsertOfAnOpenKeyRunsTheBodyAgainAndDeduplicates() async throws {
        guard let setup = try await setup() else { return }
        let other = try await PostgresAlertStore(location: setup.store.location)
        let inserted = LockedState(false)
        let first = Task {
            try await other.write { tx in
                var alert = AlertStateMachine.newAlert(id: 0, from: AlertEvent(kind: .failover, source: "db-1", summary: "first", dedupKey: "db"), at: Date())
                alert.id = try tx.insertAlert(alert)
                // The insert is kept back until the transaction's next statement: this read
                // sends it, so that the row is in the index, uncommitted.
                _ = try tx.openAlert(dedupKey: "db")
                inserted.value = true
                Thread.sleep(forTimeInterval: 0.5)  // uncommitted while the other instance inserts
            }
        }
        try await waitFor("the first insert", timeout: 10) { inserted.value }
        let result = try await setup.notifier.ingest([AlertEvent(kind: .failover, source: "db-1", summary: "second", dedupKey: "db")])
        try await first.value
        XCTAssertEqual(result.first?.transition.change, .deduplicated)
        XCTAssertEqual(setup.store.rerunCount.withLock { $0 }, 1, "the unique index refused the second insert once")
        let alerts = try await setup.store.read { tx in try tx.alerts(statuses: Set(AlertStatus.allCases)) }
        XCTAssertEqual(alerts.map(\.count), [2], "one alert, seen twice")
        XCTAssertEqual(setup.metrics.counterTotal(label: NotifyMetrics.eventsReceived), 1)
        XCTAssertEqual(setup.metrics.timers(label: NotifyMetrics.escalationLag).flatMap(\.values).count, 0,
                       "the first step the lost run fired is not counted")
        let outbox = try await setup.store.read { tx in try tx.outbox(alertID: alerts[0].id) }
        XCTAssertEqual(outbox, [], "nor queued")
        other.close()
        setup.store.close()
    }
}
