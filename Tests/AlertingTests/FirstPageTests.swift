@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import Foundation
import XCTest

/// A trigger always pages its first step, whatever the timing of its resolve (#7, #16); a
/// route's `hold` is the explicit way to suppress flaps.
final class FirstPageTests: NotifyTestCase {
    private let trigger = AlertEvent(kind: .failover, environment: "prod", source: "db-1", summary: "db-1 failed over", dedupKey: "db")
    private let resolve = AlertEvent(kind: .failover, action: .resolve, dedupKey: "db", actor: "failover-manager", note: "primary back")

    private func notifier(_ store: any AlertStore, _ slack: some Channel, hold: Duration? = nil, notifyOnResolve: Bool = true, clock: ManualClock = ManualClock()) -> Notifier {
        var route = Route(name: "db", targets: [RouteTarget(channel: "slack")], notifyOnResolve: notifyOnResolve)
        route.hold = hold
        return Notifier(store: store, channels: [slack], configuration: Configuration(routes: [route]), clock: clock)
    }

    private func actions(_ slack: ScriptedChannel) -> [String] {
        slack.received.map { "#\($0.alert.id) \($0.event.action.rawValue)" }
    }

    func testTheSameLinesPageTheSameWhetherTheyArriveInOneReadOrThree() async throws {
        for (name, store) in try await TestStores.all() {
            let together = ScriptedChannel(name: "slack")
            _ = try await notifier(store, together).ingest([trigger, resolve, trigger])
            _ = try await notifier(store, together).runDue()

            let (_, apartStore) = try await TestStores.all().first { $0.name == name }!
            let apart = ScriptedChannel(name: "slack")
            let one = notifier(apartStore, apart)
            for event in [trigger, resolve, trigger] {
                _ = try await one.ingest([event])
                _ = try await one.runDue()
            }
            XCTAssertEqual(actions(together).sorted(), ["#1 resolve", "#1 trigger", "#2 trigger"], "\(name): in one read")
            XCTAssertEqual(actions(apart).sorted(), ["#1 resolve", "#1 trigger", "#2 trigger"], "\(name): one at a time")
            XCTAssertEqual(together.received.first { $0.event.action == .resolve }?.event.actor, "failover-manager", name)
        }
    }

    func testTheResolveNoticeFollowsTheFirstPage() async throws {
        for (name, store) in try await TestStores.all() {
            let slack = ScriptedChannel(name: "slack")
            _ = try await notifier(store, slack).ingest([trigger, resolve])
            _ = try await notifier(store, slack).runDue()
            XCTAssertEqual(actions(slack), ["#1 trigger", "#1 resolve"], name)
        }
    }

    func testAResolveWhileTheFirstPageIsBeingSentStillGetsItsNotice() async throws {
        for (name, store) in try await TestStores.all() {
            let slack = HoldingChannel(name: "slack")
            let engine = notifier(store, slack)
            _ = try await engine.ingest([trigger])
            let running = Task { try await engine.runDue() }
            let sending = await eventually { slack.received.count == 1 }
            XCTAssertTrue(sending, name)
            _ = try await engine.ingest([resolve])   // the page is on its way
            slack.open()
            _ = try await running.value
            _ = try await engine.runDue()
            XCTAssertEqual(slack.received.map(\.event.action), [.trigger, .resolve], name)
        }
    }

    func testWithoutNotifyOnResolveOnlyTheFirstPageGoes() async throws {
        for (name, store) in try await TestStores.all() {
            let slack = ScriptedChannel(name: "slack")
            _ = try await notifier(store, slack, notifyOnResolve: false).ingest([trigger, resolve])
            _ = try await notifier(store, slack, notifyOnResolve: false).runDue()
            XCTAssertEqual(actions(slack), ["#1 trigger"], name)
        }
    }

    func testARouteHoldSuppressesAFlapAndStillPagesWhatStaysOpen() async throws {
        for (name, store) in try await TestStores.all() {
            let clock = ManualClock()
            let slack = ScriptedChannel(name: "slack")
            let engine = notifier(store, slack, hold: .seconds(30), clock: clock)
            _ = try await engine.ingest([trigger])
            clock.advance(by: .seconds(10))
            _ = try await engine.ingest([resolve])          // a flap: resolved within the hold
            clock.advance(by: .seconds(60))
            _ = try await engine.runDue()
            XCTAssertEqual(actions(slack), [], "\(name): the flap paged nobody")
            _ = try await engine.ingest([trigger])          // stays open this time
            clock.advance(by: .seconds(29))
            _ = try await engine.runDue()
            XCTAssertEqual(actions(slack), [], "\(name): held")
            clock.advance(by: .seconds(1))
            _ = try await engine.runDue()
            XCTAssertEqual(actions(slack), ["#2 trigger"], "\(name): paged once the hold passed")
        }
    }
}
