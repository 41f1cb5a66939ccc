@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import Foundation
import XCTest

/// `auto_resolve:`: informational alerts close themselves after a quiet while (issue 12).
final class AutoResolveTests: NotifyTestCase {
    func testAnInformationalAlertResolvesItselfAfterAQuietHourAndOthersStayOpen() async throws {
        let config = try ConfigLoader().parse("""
            channels: {out: {type: console}}
            routes: [{notify: [out]}]
            auto_resolve:
              - {match: {kind: instance_replaced}, after: 1h}
            """)
        XCTAssertEqual(config.autoResolve, [AutoResolveRule(matchers: [try RouteMatcher.parse("kind=instance_replaced")], after: .seconds(3600))])
        for (name, store) in try await TestStores.all() {
            let clock = ManualClock()
            let notifier = Notifier(store: store, channels: [ScriptedChannel(name: "out")],
                configuration: Configuration(routes: [Route(name: "all", channels: ["out"])]),
                detectors: [AutoResolveDetector(rules: config.autoResolve)],
                clock: clock)
            let replaced = try await notifier.process(AlertEvent(kind: try XCTUnwrap(AlertKind(rawValue: "instance_replaced")), severity: .info, source: "web-3", summary: "web-3 replaced"))
            let failover = try await notifier.process(AlertEvent(kind: .failover, source: "db-1", summary: "db-1 failed over"))
            clock.advance(by: .seconds(30 * 60))
            _ = try await notifier.process(AlertEvent(kind: try XCTUnwrap(AlertKind(rawValue: "instance_replaced")), severity: .info, source: "web-3", summary: "web-3 replaced"))
            clock.advance(by: .seconds(3599))
            _ = try await notifier.runDue()
            let stillOpen = try await store.alert(id: try XCTUnwrap(replaced.transition.alert).id)
            XCTAssertEqual(stillOpen?.status, .triggered, "\(name): an hour counts from the last event")
            clock.advance(by: .seconds(1))
            _ = try await notifier.runDue()
            let resolved = try await store.alert(id: try XCTUnwrap(replaced.transition.alert).id)
            XCTAssertEqual(resolved?.status, .resolved, name)
            let other = try await store.alert(id: try XCTUnwrap(failover.transition.alert).id)
            XCTAssertEqual(other?.status, .triggered, "\(name): other kinds stay open")
            let log = try await store.read { try $0.log(alertID: try XCTUnwrap(replaced.transition.alert).id) }
            XCTAssertEqual(log.last?.actor, "notify", name)
            XCTAssertEqual(log.last?.note, "auto_resolve: nothing for 1h", name)
        }
    }
}
