@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import Foundation
import XCTest

/// Dead-man's switches with a manual clock, against both stores.
final class HeartbeatTests: NotifyTestCase {
    let start = Date(timeIntervalSince1970: 1_795_514_400)

    private func rig(_ store: any AlertStore) -> (Notifier, ManualClock, ScriptedChannel) {
        let clock = ManualClock(now: start)
        let slack = ScriptedChannel(name: "slack")
        let notifier = Notifier(store: store, channels: [slack],
            configuration: Configuration(routes: [Route(name: "all", channels: ["slack"], notifyOnResolve: true)]),
            detectors: [HeartbeatDetector(heartbeats: [Heartbeat(name: "nightly-backup", interval: .seconds(600), grace: .seconds(60))])],
            clock: clock)
        return (notifier, clock, slack)
    }

    func testMissedBeatRaisesOneAlertAndTheNextBeatResolvesIt() async throws {
        for store in try await TestStores.all().map(\.store) {
            let (notifier, clock, slack) = rig(store)
            _ = try await notifier.beat("nightly-backup")                  // 10:00
            clock.advance(by: .seconds(660))                                 // 10:11: interval + grace, exactly
            _ = try await notifier.runDue()
            XCTAssertEqual(slack.received.count, 1)
            let alert = try XCTUnwrap(slack.received.first?.alert)
            XCTAssertEqual(alert.kind, .heartbeatMissed)
            XCTAssertEqual(alert.source, "nightly-backup")
            XCTAssertTrue(alert.summary.hasPrefix("Heartbeat nightly-backup missed: last beat 2026-11-24T10:00:00Z, expected every 10m"), alert.summary)
            clock.advance(by: .seconds(600))
            _ = try await notifier.runDue()
            XCTAssertEqual(slack.received.count, 1, "one alert while it stays missed, not one per check")
            let recovered = try await notifier.beat("nightly-backup")
            XCTAssertEqual(recovered.transition.change, .resolved)
            XCTAssertEqual(slack.received.last?.alert.status, .resolved)
        }
    }

    func testAHeartbeatThatNeverBeatsIsMissedToo() async throws {
        let (notifier, clock, slack) = rig(MemoryAlertStore())
        _ = try await notifier.runDue()                 // notify first looks for it at 10:00
        clock.advance(by: .seconds(659))
        _ = try await notifier.runDue()
        XCTAssertEqual(slack.received.count, 0)
        clock.advance(by: .seconds(1))
        _ = try await notifier.runDue()
        XCTAssertTrue(slack.received.first?.alert.summary.contains("no beat since 2026-11-24T10:00:00Z") == true)
    }

    func testBeatsComeOnTheStreamToo() async throws {
        let decoder = EventDecoder()
        let beat = try decoder.decode(Array(#"{"kind":"heartbeat","source":"nightly-backup"}"#.utf8)).get()
        XCTAssertEqual(beat.kind, .heartbeat)
        guard case .failure(let error) = decoder.decode(Array(#"{"kind":"heartbeat"}"#.utf8)) else { return XCTFail("a beat needs its name") }
        XCTAssertEqual(error.description, #"field "source": missing (it names the heartbeat)"#)
        let (notifier, _, _) = rig(MemoryAlertStore())
        let results = try await notifier.ingest([beat])
        XCTAssertEqual(results.map(\.transition.change), [.heartbeat])
    }
}
