@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
@testable import AlertingPostgres
import Foundation
import Logging
import PostgresNIO
import XCTest

/// Several instances on one PostgreSQL database, in one process: each is a `Notifier` with its
/// own lease owner and its own channels (what each sent is what that instance delivered).
final class SeveralInstancesTests: NotifyTestCase {
    private let start = Date(timeIntervalSince1970: 1_800_000_000)

    private func database() async throws -> PostgresAlertStore {
        guard let store = try await TestStores.postgres() else { throw XCTSkip("no PostgreSQL (set NOTIFY_TEST_POSTGRES; scripts/postgres-for-tests)") }
        return store
    }

    /// Slack at once, a pager webhook five minutes later (a channel without per-person
    /// throttles, so every page of a storm is its own message).
    private let policy = EscalationPolicy(name: "page", steps: [
        .init(after: .zero, targets: [RouteTarget(channel: "slack")]),
        .init(after: .seconds(300), targets: [RouteTarget(channel: "pager")]),
    ])

    private struct Instance {
        var notifier: Notifier
        var slack: ScriptedChannel
        var pager: ScriptedChannel
    }

    private func instance(on store: any AlertStore, clock: any AlertingClock, heartbeats: [Heartbeat] = [], watchInstances: Bool = false) -> Instance {
        let slack = ScriptedChannel(name: "slack")
        let pager = ScriptedChannel(name: "pager")
        let notifier = Notifier(store: store, channels: [slack, pager],
            configuration: Configuration(routes: [Route(name: "all", policy: "page")], policies: [policy]),
            detectors: [HeartbeatDetector(heartbeats: heartbeats)] + (watchInstances ? [StoppedInstanceDetector()] : []),
            clock: clock)
        return Instance(notifier: notifier, slack: slack, pager: pager)
    }

    private static func event(_ n: Int) -> AlertEvent {
        AlertEvent(kind: .healthCheckFailure, environment: "prod", source: "web-\(n)", summary: "web-\(n) failed its checks", dedupKey: "web-\(n)")
    }

    /// Runs both instances' due work at once until neither finds any.
    private func drain(_ instances: [Instance]) async throws {
        while true {
            let counts = try await withThrowingTaskGroup(of: Int.self) { group in
                for instance in instances { group.addTask { try await instance.notifier.runDue().count } }
                return try await group.reduce(0, +)
            }
            if counts == 0 { return }
        }
    }

    func testAStormThroughBothInstancesOpensAndPagesEachAlertOnce() async throws {
        let store = try await database()
        let clock = ManualClock(now: start)
        let instances = [instance(on: store, clock: clock), instance(on: store, clock: clock)]
        let n = 300
        // Every event goes to both instances (as Alertmanager's HA pair sends each alert to
        // every receiver), in opposite orders and batches, while both deliver.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, instance) in instances.enumerated() {
                group.addTask {
                    let order = index == 0 ? Array(0..<n) : Array((0..<n).reversed())
                    for batch in stride(from: 0, to: n, by: 25) {
                        _ = try await instance.notifier.ingest(order[batch..<min(batch + 25, n)].map(Self.event))
                        _ = try await instance.notifier.runDue()
                    }
                }
            }
            try await group.waitForAll()
        }
        try await drain(instances)
        let alerts = try await store.alerts(statuses: [.triggered])
        XCTAssertEqual(alerts.count, n, "one alert per dedup key, whichever instance saw it first")
        XCTAssertEqual(Set(alerts.map(\.count)), [2], "each alert counted both events")
        let paged = instances.flatMap { $0.slack.received.map(\.alert.id) }
        XCTAssertEqual(paged.count, n, "each alert's first page went out once across both instances")
        XCTAssertEqual(Set(paged), Set(alerts.map(\.id)))
        XCTAssertGreaterThan(instances[0].slack.received.count, 0, "both instances delivered")
        XCTAssertGreaterThan(instances[1].slack.received.count, 0, "both instances delivered")
    }

    func testADueStepFiresOnceWhenBothInstancesRunAtOnce() async throws {
        let store = try await database()
        let clock = ManualClock(now: start)
        let instances = [instance(on: store, clock: clock), instance(on: store, clock: clock)]
        _ = try await instances[0].notifier.ingest((0..<100).map(Self.event))
        try await drain(instances)
        clock.advance(by: .seconds(300))
        try await drain(instances)
        let texts = instances.flatMap { $0.pager.received.map(\.alert.id) }
        XCTAssertEqual(texts.count, 100, "the second step of each alert fired once")
        XCTAssertEqual(Set(texts).count, 100)
    }

    func testAnAcknowledgementTakenByOneInstanceStopsTheStepTheOtherWouldRun() async throws {
        let store = try await database()
        let clock = ManualClock(now: start)
        let (a, b) = (instance(on: store, clock: clock), instance(on: store, clock: clock))
        let opened = try await a.notifier.process(Self.event(1))
        _ = try await b.notifier.acknowledge(alertID: try XCTUnwrap(opened.transition.alert).id, by: "alice")
        clock.advance(by: .seconds(300))
        try await drain([a, b])
        XCTAssertEqual(a.pager.received.count + b.pager.received.count, 0, "acknowledged through B: neither runs the second step")
    }

    func testTheOldestLiveInstanceAloneRunsTheDetectors() async throws {
        let store = try await database()
        let clock = ManualClock(now: start)
        let beat = Heartbeat(name: "nightly-backup", interval: .seconds(600), grace: .seconds(60))
        let (a, b) = (instance(on: store, clock: clock, heartbeats: [beat]), instance(on: store, clock: clock, heartbeats: [beat]))
        try await store.write { [start] tx in
            try InstanceRegistry.report(owner: a.notifier.outbox.owner, role: "serve", at: start - 60, in: tx)
            try InstanceRegistry.report(owner: b.notifier.outbox.owner, role: "serve", at: start, in: tx)
            try InstanceRegistry.report(owner: a.notifier.outbox.owner, role: "serve", at: start, in: tx)
        }
        _ = try await b.notifier.runDetectors()
        let afterB = try await store.read { try $0.beat(name: "nightly-backup") }
        XCTAssertNil(afterB, "B is not the oldest: it checks nothing")
        _ = try await a.notifier.runDetectors()
        let afterA = try await store.read { try $0.beat(name: "nightly-backup") }
        XCTAssertNotNil(afterA, "A, the oldest, does")
        let status = try await b.notifier.status()
        XCTAssertEqual(status.instances.filter(\.runsSingletonWork).map(\.owner), [a.notifier.outbox.owner.description])
    }

    func testAnInstanceThatStopsReportingRaisesAnAlertOnce() async throws {
        let store = try await database()
        let clock = ManualClock(now: start)
        let watcher = instance(on: store, clock: clock, watchInstances: true)
        try await store.write { [start] tx in
            try tx.saveInstance(InstanceRow(owner: "db-host-2/4242/dead", role: "serve", startedAt: start - 3600, lastSeen: start - 20))
        }
        // Its own reports had a gap (a database outage, say) until 10 s ago: it does not judge
        // the others yet, whose reports are as old for the same reason.
        watcher.notifier.reporting.reported(at: start - 10)
        _ = try await watcher.notifier.runDue()
        XCTAssertEqual(watcher.slack.received.count, 0, "no judgement before reporting 15 s without a gap")
        watcher.notifier.reporting.failed()
        watcher.notifier.reporting.reported(at: start - 16)
        _ = try await watcher.notifier.runDue()
        XCTAssertEqual(watcher.slack.received.map(\.alert.kind), [.instanceStopped])
        XCTAssertTrue(watcher.slack.received.first?.alert.summary.contains("db-host-2/4242/dead") == true)
        _ = try await watcher.notifier.runDue()
        XCTAssertEqual(watcher.slack.received.count, 1, "raised once")
        let status = try await watcher.notifier.status()
        XCTAssertEqual(status.instances.count, 0, "its report is gone: the alert is the record")
    }

    func testInstancesStartingAtOnceMigrateOnce() async throws {
        guard let url = try TestStores.postgresURL else { throw XCTSkip("no PostgreSQL") }
        let schema = TestStores.freshSchema()
        let location = try TestStores.postgresURL(url, schema: schema)
        let stores = try await withThrowingTaskGroup(of: PostgresAlertStore.self) { group in
            for _ in 0..<4 { group.addTask { try await PostgresAlertStore(url: location) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(stores.count, 4, "every instance came up")
        let versions = try await stores[0].withConnection { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "SELECT version FROM \(schema).notify_schema_migrations ORDER BY version"), logger: Logger(label: "test"))
                .collect().map { try $0.decode(Int.self) }
        }
        XCTAssertEqual(versions, Array(1...PostgresSchema.migrations.count), "each migration run once, recorded once")
    }

    func testWorkRecordedByOneInstanceWakesTheOtherAtOnce() async throws {
        let store = try await database()
        // B polls every 30 s: only the database's notification can make it deliver within a second.
        let a = instance(on: store, clock: SystemClock())
        let b = instance(on: store, clock: SystemClock())
        let running = Task { try await b.notifier.runContinuously(poll: .seconds(30)) }
        defer { running.cancel() }
        try await Task.sleep(for: .milliseconds(500))  // B is listening
        _ = try await a.notifier.ingest([Self.event(7)])  // A records the page and leaves it
        let paged = await eventually(within: .seconds(1)) { b.slack.received.count == 1 }
        XCTAssertTrue(paged, "B delivered A's page within a second of its commit")
    }

    /// A `watch` whose input ended, or a daemon stopped by SIGTERM, must not look like an
    /// instance that died: that would page someone for nothing.
    func testAnInstanceThatStopsCleanlyLeavesNoReportBehind() async throws {
        for (name, store) in try await TestStores.all() {
            let notifier = Notifier(store: store, channels: [], configuration: Configuration(routes: []))
            let stream = EventStreamProcessor(notifier: notifier)
            _ = try await stream.run(EventStreamProcessorTests.Chunks(chunks: [Array(#"{"kind":"failover","summary":"x"}"#.utf8) + [10]]))
            let afterStream = try await store.read { try $0.instances() }
            XCTAssertEqual(afterStream.count, 0, "\(name): the watch withdrew its report")
            let running = Task { try await notifier.runContinuously(poll: .milliseconds(50)) }
            try await Task.sleep(for: .milliseconds(300))
            let whileRunning = try await store.read { try $0.instances() }
            XCTAssertEqual(whileRunning.count, 1, name)
            running.cancel()
            _ = try? await running.value
            let afterStop = try await store.read { try $0.instances() }
            XCTAssertEqual(afterStop.count, 0, "\(name): the daemon withdrew its report before returning")
        }
    }

    func testTheDatabaseClockCorrectsASkewedHost() async throws {
        let store = try await database()
        let fast = ManualClock(now: Date() + 3600)  // this host runs an hour fast
        let clock = await DatabaseClock(store: store, local: fast)
        XCTAssertEqual(clock.now().timeIntervalSince1970, Date().timeIntervalSince1970, accuracy: 1, "the database's time, not the host's")
        XCTAssertEqual(clock.measuredOffset, -3600, accuracy: 1)
    }
}

/// A page another instance is retrying stops when the alert is acknowledged anywhere.
final class AcknowledgedWhileRetryingTests: NotifyTestCase {
    /// Fails each attempt (503); on the first, someone acknowledges through another instance.
    final class AcknowledgingChannel: Alerting.Channel, @unchecked Sendable {
        let name = "pager"
        let template: TemplateSelector? = nil
        let attempts = LockedState(0)
        var onFirstAttempt: (@Sendable (Int64) async -> Void)?

        func deliver(_ notification: Alerting.Notification) async -> DeliveryOutcome {
            if attempts.mutate({ $0 += 1; return $0 }) == 1 { await onFirstAttempt?(notification.alert.id) }
            return .retryable(reason: "HTTP 503", retryAfter: nil)
        }
    }

    func testARetryStopsOnceAnotherInstanceTookTheAcknowledgement() async throws {
        for (name, store) in try await TestStores.all() {
            let clock = ManualClock()
            let channel = AcknowledgingChannel()
            let routes = Router(routes: [Route(name: "all", channels: ["pager"])])
            let a = Notifier(store: store, channels: [channel], configuration: Configuration(routes: routes.routes), clock: clock)
            let b = Notifier(store: store, channels: [ScriptedChannel(name: "pager")],
                configuration: Configuration(routes: routes.routes),
                clock: clock)
            channel.onFirstAttempt = { id in _ = try? await b.acknowledge(alertID: id, by: "alice") }
            let result = try await a.process(AlertEvent(kind: .failover, environment: "prod", source: "db-1", summary: "failed over", dedupKey: "db"))
            XCTAssertEqual(channel.attempts.value, 1, "\(name): no retry after the acknowledgement")
            XCTAssertEqual(result.reports.first?.attempts.last?.outcome.reason, "not sent: the alert was acknowledged meanwhile", name)
        }
    }
}
