@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import Foundation
import XCTest

final class SilenceTests: NotifyTestCase {
    let start = Date(timeIntervalSince1970: 1_795_514_400)  // 2026-11-24 10:00:00Z

    private func notifier(_ store: any AlertStore, _ clock: ManualClock, _ slack: ScriptedChannel) -> Notifier {
        let policy = EscalationPolicy(name: "p", steps: [
            .init(after: .zero, targets: [RouteTarget(channel: "slack")]),
            .init(after: .seconds(600), targets: [RouteTarget(channel: "slack")]),
        ])
        return Notifier(store: store, channels: [slack],
            configuration: Configuration(routes: [Route(name: "all", policy: "p")], policies: [policy]),
            clock: clock)
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

    // MARK: Maintenance windows

    private func utc(_ text: String) -> Date {
        guard let date = try? Date(text, strategy: Date.ISO8601FormatStyle()) else { fatalError(text) }
        return date
    }

    func testWeeklyWindowRecursInItsTimezoneAndRunsPastMidnight() throws {
        let config = try ConfigLoader(environment: [:]).parse("""
            channels: {out: {type: console}}
            routes: [{notify: [out]}]
            maintenance:
              - {name: db-patching, match: {environment: "prod-*"}, timezone: Europe/Berlin, days: [sat, sun], from: "23:00", until: "02:00"}
              - {name: migration, match: ["source=~db-.*"], from: "2026-11-28T02:00:00Z", until: "2026-11-28T04:00:00Z"}
            """)
        let weekly = config.maintenance[0]
        // Saturday 2026-11-28 23:30 in Berlin (UTC+1) is 22:30Z; the window runs to Sunday 02:00.
        XCTAssertNil(weekly.openWindow(at: utc("2026-11-28T21:59:00Z")))
        XCTAssertEqual(weekly.openWindow(at: utc("2026-11-28T22:30:00Z"))?.end, utc("2026-11-29T01:00:00Z"))
        XCTAssertNotNil(weekly.openWindow(at: utc("2026-11-29T00:59:00Z")), "past midnight, still Saturday's window")
        XCTAssertNil(weekly.openWindow(at: utc("2026-11-27T22:30:00Z")), "Friday: no window")
        XCTAssertNotNil(weekly.openWindow(at: utc("2026-11-29T22:30:00Z")), "Sunday too")
        XCTAssertNotNil(weekly.openWindow(at: utc("2026-11-30T00:30:00Z")), "Sunday's runs into Monday")
        XCTAssertNil(weekly.openWindow(at: utc("2026-11-30T22:30:00Z")), "Monday: no window")
        let once = config.maintenance[1]
        XCTAssertNotNil(once.openWindow(at: utc("2026-11-28T03:00:00Z")))
        XCTAssertNil(once.openWindow(at: utc("2026-11-28T04:00:00Z")))
    }

    func testMaintenanceWindowSilencesAndEscalationStartsWhenItCloses() async throws {
        let clock = ManualClock(now: start)   // 10:00Z
        let slack = ScriptedChannel(name: "slack")
        let window = MaintenanceWindow(name: "patching", matchers: [try RouteMatcher.parse("environment=staging")],
                                       when: .once(from: start - 60, until: start + 900))
        let notifier = Notifier(channels: [slack],
            configuration: Configuration(routing: .init(routes: [Route(name: "all", channels: ["slack"])], maintenance: [window])),
            clock: clock)
        _ = try await notifier.process(staging())
        XCTAssertEqual(slack.received.count, 0)
        let explanation = try await notifier.explain(AlertEvent(kind: .failover, environment: "staging", source: "db-9", summary: "x"))
        XCTAssertEqual(explanation.maintenance, ["maintenance patching"])
        advance(clock, to: 15)
        _ = try await notifier.runDue()
        XCTAssertEqual(slack.received.count, 1)
        let notes = try await notifier.store.log(alertID: 1).compactMap(\.note)
        XCTAssertTrue(notes.contains { $0.hasPrefix("silenced by maintenance patching until") }, "\(notes)")
    }

    func testMaintenanceConfigErrors() {
        func error(_ extra: String) -> String {
            do {
                _ = try ConfigLoader(environment: [:]).parse("channels: {out: {type: console}}\nroutes: [{notify: [out]}]\nmaintenance:\n" + extra)
                return ""
            } catch { return "\(error)" }
        }
        XCTAssertTrue(error("  - {match: {kind: x}, days: [someday], from: \"02:00\", until: \"03:00\"}").contains(#"maintenance[0].days: "someday" is not a day"#))
        XCTAssertTrue(error("  - {match: {kind: x}, days: [sat], from: \"2am\", until: \"03:00\"}").contains(#"maintenance[0].from: "2am" is not a time of day"#))
        XCTAssertTrue(error("  - {match: {kind: x}, from: \"2026-11-28T04:00:00Z\", until: \"2026-11-28T02:00:00Z\"}").contains("maintenance[0].until: must be after from"))
        XCTAssertTrue(error("  - {days: [sat], from: \"02:00\", until: \"03:00\"}").contains("maintenance[0].match: missing"))
    }
}

extension SilenceTests {
    func testASilenceNeedsAMatcher() {
        XCTAssertThrowsError(try Silence(matchers: [], startsAt: Date(), endsAt: Date() + 60)) { error in
            XCTAssertEqual(error as? SilenceError, .noMatcher)
        }
    }

    func testAnUnreadableStoredSilenceSilencesNothingAndIsReported() async throws {
        for (name, store) in try await TestStores.all() {
            XCTAssertThrowsError(try RouteMatcher.parse("???"), "\(name): the test needs a matcher that does not parse")
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            _ = try await store.write { tx in
                try tx.insertSilence(SilenceRow(id: 0, matchers: ["???"], startsAt: now - 60, endsAt: now + 3600, comment: "damaged", createdBy: nil))
            }
            let readings = try await store.silenceReadings(notEndedAt: now)
            XCTAssertEqual(readings.silences, [], name)
            XCTAssertEqual(readings.unreadable.map(\.id), [1], name)
            let slack = ScriptedChannel(name: "slack")
            let notifier = Notifier(store: store, channels: [slack],
                configuration: Configuration(routes: [Route(name: "all", channels: ["slack"])]),
                clock: ManualClock(now: now))
            let result = try await notifier.process(AlertEvent(kind: .failover, environment: "prod", summary: "failed over"))
            XCTAssertEqual(result.reports.map(\.outcome.label), ["delivered"], "\(name): better a page than a miss")
        }
    }
}
