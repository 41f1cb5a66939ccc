@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import Foundation
import XCTest

/// The continuous-failure detector with a manual clock, against both stores.
final class ContinuousFailureTests: NotifyTestCase {
    let start = Date(timeIntervalSince1970: 1_795_514_400)

    private func failure(_ source: String, env: String = "prod") -> AlertEvent {
        AlertEvent(kind: .healthCheckFailure, environment: env, source: source, summary: "\(source) failed its health check")
    }

    func testThresholdRaisesOneAlertPerEnvironmentAndQuietResolvesIt() async throws {
        for store in [MemoryAlertStore() as any AlertStore, try SQLiteAlertStore(path: temporaryStatePath())] {
            let clock = ManualClock(now: start)
            let slack = ScriptedChannel(name: "slack")
            let notifier = Notifier(store: store, channels: [slack], configuration: Configuration(routes: [
                    Route(name: "page", matchers: [RouteMatcher(field: .kind, patterns: [GlobPattern("continuous_failure")])], channels: ["slack"], notifyOnResolve: true),
                    Route(name: "quiet", channels: []),
                ]), detectors: [ContinuousFailureDetector(threshold: 3, window: .seconds(600), quietPeriod: .seconds(900))], clock: clock)
            _ = try await notifier.process(failure("web-1"))
            clock.advance(by: .seconds(60))
            _ = try await notifier.process(failure("web-2"))
            _ = try await notifier.process(failure("web-3", env: "staging"))
            XCTAssertEqual(slack.received.count, 0, "2 in prod, 1 in staging: under the threshold")
            clock.advance(by: .seconds(60))
            _ = try await notifier.process(failure("web-1"))               // the 3rd in prod
            XCTAssertEqual(slack.received.map(\.alert.kind), [.continuousFailure])
            XCTAssertEqual(slack.received.first?.alert.environment, "prod")
            XCTAssertEqual(slack.received.first?.alert.summary, "3 health_check_failure events in environment prod within 10m, from web-1, web-2",
                           "the hosts that failed, most failures first")
            XCTAssertEqual(slack.received.first?.alert.details["sources"], .array([.string("web-1"), .string("web-2")]))
            for source in ["web-4", "web-5", "web-6"] { _ = try await notifier.process(failure(source)) }
            XCTAssertEqual(slack.received.count, 1, "crossing the threshold once, not once per extra failure")
            let open = try await store.alerts(statuses: [.triggered]).filter { $0.kind == .continuousFailure }
            XCTAssertEqual(open.count, 1)
            XCTAssertEqual(open.first?.count, 1)

            clock.advance(by: .seconds(899))
            _ = try await notifier.runDue()
            XCTAssertEqual(slack.received.count, 1, "not quiet for 15 minutes yet")
            clock.advance(by: .seconds(1))
            _ = try await notifier.runDue()
            XCTAssertEqual(slack.received.last?.alert.status, .resolved)
        }
    }

    func testFailuresFromSeparateSendsAddUp() async throws {
        let config = try writeTemporaryConfig("""
            channels: {out: {type: console}}
            detectors:
              continuous_failure: {threshold: 3, window: 10m}
            routes: [{notify: [out]}]
            """)
        let state = temporaryStatePath()
        var last = ""
        for source in ["web-1", "web-2", "web-3"] {
            let sent = try await NotifyProcess.run(["send", "--kind", "health_check_failure", "--env", "prod", "--source", source, "--summary", "down", "--config", config],
                                                   environment: ["NOTIFY_STATE": state])
            XCTAssertEqual(sent.status, 0, sent.stderr)
            last = sent.stderr
        }
        // The send that tipped it over says what else it did (issue 12).
        XCTAssertTrue(last.contains("notify: alert 4 opened by a detector (continuous_failure): "), last)
        XCTAssertTrue(last.contains("notify: alert 4 (due meanwhile): out: delivered"), last)
        let list = try await NotifyProcess.run(["list", "--output", "json", "--config", config], environment: ["NOTIFY_STATE": state])
        let alerts = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(alerts.filter { $0["kind"] as? String == "continuous_failure" }.count, 1)
    }
}

extension ContinuousFailureTests {
    private func silencedPlatform(_ store: any AlertStore, slack: ScriptedChannel, clock: ManualClock, countSilenced: Bool) -> Notifier {
        var detector = ContinuousFailureDetector(threshold: 3, window: .seconds(600), quietPeriod: .seconds(900))
        detector.countSilenced = countSilenced
        return Notifier(store: store, channels: [slack],
            configuration: Configuration(routes: [Route(name: "page", matchers: [RouteMatcher(field: .kind, patterns: [GlobPattern("continuous_failure")])], channels: ["slack"])]),
            detectors: [detector],
            clock: clock)
    }

    func testFailuresUnderASilenceDoNotRaiseTheDetectorsAlert() async throws {
        for (name, store) in try await TestStores.all() {
            let clock = ManualClock(now: start)
            let slack = ScriptedChannel(name: "slack")
            let notifier = silencedPlatform(store, slack: slack, clock: clock, countSilenced: false)
            // Silences the failures, not the detector's own alert: only counting can page here.
            _ = try await store.addSilence(try Silence(matchers: [try RouteMatcher.parse("kind=health_check_failure")], startsAt: start, endsAt: start + 3600, comment: "db upgrade"))
            for source in ["web-1", "web-2", "web-3", "web-4"] { _ = try await notifier.process(failure(source)) }
            XCTAssertEqual(slack.received.count, 0, "\(name): planned work, silenced: the detector stays quiet")
            clock.advance(by: .seconds(3600))   // the silence is over: new failures count again
            for source in ["web-1", "web-2", "web-3"] { _ = try await notifier.process(failure(source)) }
            XCTAssertEqual(slack.received.map(\.alert.kind), [.continuousFailure], name)
        }
    }

    func testADetectorCanBeToldToCountSilencedFailures() async throws {
        for (name, store) in try await TestStores.all() {
            let clock = ManualClock(now: start)
            let slack = ScriptedChannel(name: "slack")
            let notifier = silencedPlatform(store, slack: slack, clock: clock, countSilenced: true)
            _ = try await store.addSilence(try Silence(matchers: [try RouteMatcher.parse("kind=health_check_failure")], startsAt: start, endsAt: start + 3600))
            for source in ["web-1", "web-2", "web-3"] { _ = try await notifier.process(failure(source)) }
            XCTAssertEqual(slack.received.map(\.alert.kind), [.continuousFailure], name)
        }
    }
}
