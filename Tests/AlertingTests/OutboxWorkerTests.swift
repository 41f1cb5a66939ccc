@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import Foundation
import XCTest

/// How the outbox is worked: no head-of-line blocking, long waits back to the outbox, leases
/// renewed while a delivery runs.
final class OutboxWorkerTests: NotifyTestCase {
    private func routes() -> Router {
        Router(routes: [
            Route(name: "failover", matchers: [try! RouteMatcher.parse("kind=failover")], targets: [RouteTarget(channel: "slack")]),
            Route(name: "checks", matchers: [try! RouteMatcher.parse("kind=health_check_failure")], targets: [RouteTarget(channel: "sms", contacts: ["alice"])]),
        ])
    }

    private let alice = Contact(name: "alice", phone: PhoneNumber("+14155550100"))

    func testAHungChannelDoesNotHoldANewAlertsPage() async throws {
        for (name, store) in try await TestStores.all() {
            let slack = HoldingChannel(name: "slack")
            let sms = ScriptedChannel(name: "sms", medium: .sms)
            let notifier = Notifier(store: store, channels: [slack, sms],
                configuration: Configuration(routes: routes().routes, contacts: [alice]),
                clock: ManualClock())
            _ = try await notifier.ingest([AlertEvent(kind: .failover, environment: "prod", summary: "db failed over", dedupKey: "db")])
            let running = Task { try await notifier.runDue() }
            let slackStarted = await eventually { slack.received.count == 1 }
            XCTAssertTrue(slackStarted, name)
            // Another alert arrives while Slack hangs: its SMS goes out within a second.
            _ = try await notifier.ingest([AlertEvent(kind: .healthCheckFailure, environment: "prod", source: "web-3", summary: "down", dedupKey: "web-3")])
            let smsSent = await eventually(within: .seconds(1)) { sms.received.count == 1 }
            XCTAssertTrue(smsSent, "\(name): the SMS waited for the hung Slack delivery")
            slack.open()
            let delivered = try await running.value
            XCTAssertEqual(delivered.map(\.report.destination).sorted(), ["slack", "sms to alice"], name)
        }
    }

    /// Each channel has its own slots: a channel that hangs holds its own (never more than
    /// `maxConcurrentDeliveries` of them), nothing more is claimed for it meanwhile, and the
    /// other channel's pages all go out.
    func testAHungChannelHoldsOnlyItsOwnSlotsAndClaimsNothingAhead() async throws {
        for (name, store) in try await TestStores.all() {
            let slack = HoldingChannel(name: "slack")
            let sms = ScriptedChannel(name: "sms", medium: .sms)
            let notifier = Notifier(store: store, channels: [slack, sms],
                configuration: Configuration(routes: routes().routes, contacts: [alice], delivery: .init(outbox: OutboxSettings(maxConcurrentDeliveries: 4))),
                clock: ManualClock())
            _ = try await notifier.ingest((1...12).map { AlertEvent(kind: .failover, environment: "prod", summary: "db-\($0) failed over", dedupKey: "db-\($0)") })
            let running = Task { try await notifier.runDue() }
            let started = await eventually { slack.received.count == 4 }
            XCTAssertTrue(started, name)
            // While Slack hangs, pages to alice by SMS go out.
            _ = try await notifier.ingest((1...3).map { AlertEvent(kind: .healthCheckFailure, environment: "prod", source: "web-\($0)", summary: "down", dedupKey: "web-\($0)") })
            let smsSent = await eventually(within: .seconds(1)) { sms.received.count >= 1 }
            XCTAssertTrue(smsSent, "\(name): the SMS waited for the hung Slack")
            try await Task.sleep(for: .milliseconds(300))
            XCTAssertEqual(slack.received.count, 4, "\(name): at most 4 Slack deliveries at once")
            let claimed = try await store.read { try $0.outboxCounts() }.claimed.values.reduce(0, +)
            XCTAssertEqual(claimed, 4, "\(name): only the 4 in flight are claimed; the other 8 wait unclaimed")
            slack.open()
            let delivered = try await running.value
            XCTAssertEqual(delivered.filter { $0.report.channel == "slack" }.count, 12, name)
            XCTAssertEqual(Set(slack.received.map(\.alert.dedupKey)).count, 12, "\(name): each once")
        }
    }

    func testALongRetryAfterGoesBackToTheOutboxInsteadOfHoldingTheSlot() async throws {
        for (name, store) in try await TestStores.all() {
            let clock = ManualClock()
            let slack = ScriptedChannel(name: "slack", script: [.retryable(reason: "HTTP 429", retryAfter: .seconds(60)), .delivered(providerID: nil)])
            let notifier = Notifier(store: store, channels: [slack], configuration: Configuration(routes: routes().routes), clock: clock)
            let first = try await notifier.process(AlertEvent(kind: .failover, environment: "prod", summary: "db failed over", dedupKey: "db"))
            XCTAssertEqual(first.reports.map(\.outcome.label), ["retryable"], name)
            XCTAssertEqual(clock.sleeps, [], "\(name): nobody waited 60 s in place")
            clock.advance(by: .seconds(59))
            let early = try await notifier.runDue()
            XCTAssertEqual(early.count, 0, "\(name): not before the provider's Retry-After")
            clock.advance(by: .seconds(1))
            let later = try await notifier.runDue()
            XCTAssertEqual(later.map(\.report.outcome.label), ["delivered"], name)
        }
    }

    func testAClaimIsRenewedWhileItsDeliveryRunsSoNoOtherProcessSendsItAgain() async throws {
        let path = temporaryStatePath()
        // Two processes on one state file, a lease of 300 ms, and a delivery that takes 1 s.
        let slackA = HoldingChannel(name: "slack")
        let slackB = HoldingChannel(name: "slack")
        slackB.open()
        let a = Notifier(store: try SQLiteAlertStore(path: path), channels: [slackA],
            configuration: Configuration(routes: routes().routes, delivery: .init(outbox: OutboxSettings(leaseDuration: .milliseconds(300)))))
        let b = Notifier(store: try SQLiteAlertStore(path: path), channels: [slackB],
            configuration: Configuration(routes: routes().routes, delivery: .init(outbox: OutboxSettings(leaseDuration: .milliseconds(300)))))
        _ = try await a.ingest([AlertEvent(kind: .failover, environment: "prod", summary: "db failed over", dedupKey: "db")])
        let running = Task { try await a.runDue() }
        let started = await eventually { slackA.received.count == 1 }
        XCTAssertTrue(started)
        try await Task.sleep(for: .milliseconds(700))
        let byB = try await b.runDue()
        XCTAssertEqual(byB.count, 0, "the claim outlived its first lease because it was renewed")
        slackA.open()
        let byA = try await running.value
        XCTAssertEqual(byA.count, 1)
        XCTAssertEqual(slackB.received.count, 0)
    }
}

extension OutboxWorkerTests {
    func testTheLoopKeepsRunningThroughStoreErrorsAndReportsThem() async throws {
        let clock = ManualClock()
        let store = FailingStore(MemoryAlertStore(), failures: 0)
        let slack = ScriptedChannel(name: "slack")
        let notifier = Notifier(store: store, channels: [slack], configuration: Configuration(routes: routes().routes), clock: clock)
        _ = try await notifier.ingest([AlertEvent(kind: .failover, environment: "prod", summary: "db failed over", dedupKey: "db")])
        store.fail(next: .max)
        let health = EngineHealth()
        let loop = Task { try await notifier.runContinuously(poll: .milliseconds(50), health: health) }
        let reported = await eventually { health.failure != nil }
        XCTAssertTrue(reported, "the failure shows while it lasts")
        store.fail(next: 0)
        let recovered = await eventually { slack.received.count == 1 && health.failure == nil }
        XCTAssertTrue(recovered, "the page went out once the store answered again")
        XCTAssertTrue(clock.sleeps.contains(.milliseconds(500)), "it backed off: \(clock.sleeps.prefix(8))")
        loop.cancel()
        try await loop.value
    }
}
