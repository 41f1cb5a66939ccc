@testable import Alerting
import Foundation
import XCTest

final class SilenceTests: XCTestCase {
    let start = Date(timeIntervalSince1970: 1_795_514_400)  // 2026-11-24 10:00:00Z

    private func notifier(_ store: any AlertStore, _ clock: ManualClock, _ slack: ScriptedChannel) -> Notifier {
        let policy = EscalationPolicy(name: "p", steps: [
            .init(after: .zero, targets: [RouteTarget(channel: "slack")]),
            .init(after: .seconds(600), targets: [RouteTarget(channel: "slack")]),
        ])
        return Notifier(store: store, router: Router(routes: [Route(name: "all", policy: "p")]), channels: [slack], policies: [policy], clock: clock)
    }

    private func stores() throws -> [any AlertStore] {
        [MemoryAlertStore(), try SQLiteAlertStore(path: temporaryStatePath())]
    }

    private func staging() -> AlertEvent {
        AlertEvent(kind: .healthCheckFailure, environment: "staging", source: "web-1", summary: "down")
    }

    private func advance(_ clock: ManualClock, to minutes: Double) {
        clock.advance(by: .milliseconds(Int64(((start.timeIntervalSince1970 + minutes * 60 - clock.now().timeIntervalSince1970) * 1000).rounded())))
    }

    func testSilencedAlertIsRecordedPagesNobodyAndEscalatesWhenTheSilenceEnds() async throws {
        for store in try stores() {
            let clock = ManualClock(now: start)
            let slack = ScriptedChannel(name: "slack")
            let notifier = notifier(store, clock, slack)
            _ = try await store.addSilence(Silence(matchers: [try RouteMatcher.parse("environment=staging")], startsAt: start, endsAt: start + 1800, comment: "load test"))
            let result = try await notifier.process(staging())
            XCTAssertEqual(result.transition.change, .opened)
            XCTAssertEqual(result.reports.count, 0)
            advance(clock, to: 29)
            _ = try await notifier.runDue()
            XCTAssertEqual(slack.received.count, 0, "still silenced")
            advance(clock, to: 30)
            _ = try await notifier.runDue()
            XCTAssertEqual(slack.received.count, 1, "escalation starts when the silence ends")
            advance(clock, to: 39.9)
            _ = try await notifier.runDue()
            XCTAssertEqual(slack.received.count, 1, "the second step keeps its spacing from the first")
            advance(clock, to: 40)
            _ = try await notifier.runDue()
            XCTAssertEqual(slack.received.count, 2)
            let notes = try await store.log(alertID: 1).compactMap(\.note)
            XCTAssertEqual(notes.filter { $0.hasPrefix("silenced by #1 (load test)") }.count, 1, "noted once, not every minute: \(notes)")
            XCTAssertTrue(notes.contains { $0.hasPrefix("silence over;") })
        }
    }

    func testExpiringASilenceEarlyTakesEffectWithinAMinute() async throws {
        for store in try stores() {
            let clock = ManualClock(now: start)
            let slack = ScriptedChannel(name: "slack")
            let notifier = notifier(store, clock, slack)
            let silence = try await store.addSilence(Silence(matchers: [try RouteMatcher.parse("environment=staging")], startsAt: start, endsAt: start + 7200))
            _ = try await notifier.process(staging())
            advance(clock, to: 5)
            let expired = try await store.expireSilence(id: silence.id, at: clock.now())
            XCTAssertTrue(expired)
            advance(clock, to: 6)
            _ = try await notifier.runDue()
            XCTAssertEqual(slack.received.count, 1)
            let again = try await store.expireSilence(id: silence.id, at: clock.now())
            XCTAssertFalse(again)
        }
    }

    func testSilenceOnlyAppliesToWhatItMatchesAndWhenItIsActive() async throws {
        for store in try stores() {
            let clock = ManualClock(now: start)
            let slack = ScriptedChannel(name: "slack")
            let notifier = notifier(store, clock, slack)
            _ = try await store.addSilence(Silence(matchers: [try RouteMatcher.parse("environment=staging")], startsAt: start, endsAt: start + 3600))
            _ = try await store.addSilence(Silence(matchers: [try RouteMatcher.parse("environment=prod")], startsAt: start + 600, endsAt: start + 3600))
            let prod = try await notifier.process(AlertEvent(kind: .failover, environment: "prod", source: "db-1", summary: "x"))
            XCTAssertEqual(prod.reports.count, 1, "the prod silence has not started")
            let active = try await store.silences(notEndedAt: start)
            XCTAssertEqual(active.count, 2)
            let all = try await store.silences(notEndedAt: nil)
            XCTAssertEqual(all.count, 2)
            let explanation = try await notifier.explain(staging())
            XCTAssertEqual(explanation.silencedBy, [1])
        }
    }
}
