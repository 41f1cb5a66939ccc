@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import Foundation
import XCTest

/// `continue: true`: one alert, several routes, each escalating on its own.
final class ContinueRoutesTests: NotifyTestCase {
    let start = Date(timeIntervalSince1970: 1_795_514_400)

    func testEachMatchingRouteRunsItsOwnPolicy() async throws {
        for store in [MemoryAlertStore() as any AlertStore, try SQLiteAlertStore(path: temporaryStatePath())] {
            let clock = ManualClock(now: start)
            let audit = ScriptedChannel(name: "audit")
            let slack = ScriptedChannel(name: "slack")
            let pager = ScriptedChannel(name: "pager")
            var everything = Route(name: "audit-everything", channels: ["audit"], notifyOnResolve: true)
            everything.continueMatching = true
            let policy = EscalationPolicy(name: "db", steps: [
                .init(after: .zero, targets: [RouteTarget(channel: "slack")]),
                .init(after: .seconds(300), targets: [RouteTarget(channel: "pager")]),
            ])
            let notifier = Notifier(store: store, channels: [audit, slack, pager],
                configuration: Configuration(routes: [everything, Route(name: "db", policy: "db", notifyOnResolve: true)], policies: [policy]),
                clock: clock)
            let opened = try await notifier.process(AlertEvent(kind: .failover, environment: "prod", source: "db-1", summary: "x"))
            XCTAssertEqual(opened.reports.map(\.channel).sorted(), ["audit", "slack"])
            clock.advance(by: .seconds(300))
            let later = try await notifier.runDue()
            XCTAssertEqual(later.map(\.report.channel), ["pager"])
            let resolved = try await notifier.resolve(alertID: 1)
            XCTAssertEqual(resolved.reports.map(\.channel).sorted(), ["audit", "pager", "slack"], "everyone paged hears of the resolve")
            let explanation = try await notifier.explain(AlertEvent(kind: .failover, environment: "prod", source: "db-2", summary: "y"))
            XCTAssertEqual(explanation.usedRoutes, ["audit-everything", "db"])
            XCTAssertEqual(explanation.pages.map(\.channel), ["audit", "slack", "pager"])
        }
    }

    func testAcknowledgeStopsEveryRoutesEscalation() async throws {
        for store in [MemoryAlertStore() as any AlertStore, try SQLiteAlertStore(path: temporaryStatePath())] {
            let clock = ManualClock(now: start)
            let a = ScriptedChannel(name: "a"), b = ScriptedChannel(name: "b")
            let late = EscalationPolicy(name: "late", steps: [.init(after: .seconds(60), targets: [RouteTarget(channel: "a")])])
            let later = EscalationPolicy(name: "later", steps: [.init(after: .seconds(120), targets: [RouteTarget(channel: "b")])])
            var first = Route(name: "first", policy: "late")
            first.continueMatching = true
            let notifier = Notifier(store: store, channels: [a, b],
                configuration: Configuration(routes: [first, Route(name: "second", policy: "later")], policies: [late, later]),
                clock: clock)
            _ = try await notifier.process(AlertEvent(kind: .failover, summary: "x"))
            _ = try await notifier.acknowledge(alertID: 1, by: "alice")
            clock.advance(by: .seconds(600))
            let due = try await notifier.runDue()
            XCTAssertEqual(due.count, 0)
            XCTAssertEqual(a.received.count + b.received.count, 0)
        }
    }

    func testContinueIsReadFromTheConfig() throws {
        let config = try ConfigLoader(environment: [:]).parse("""
            channels: {out: {type: console}}
            routes:
              - {notify: [out], continue: true}
              - {notify: [out]}
            """)
        XCTAssertEqual(config.routes.map(\.continueMatching), [true, false])
    }
}
