@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import Foundation
import XCTest

/// An outbox item carries the event that caused it: a page its trigger's details, a resolve
/// notice who resolved and why, even when another process (or a restart) delivers it.
final class OutboxEventTests: NotifyTestCase {
    private func notifier(_ store: any AlertStore, slack: ScriptedChannel) -> Notifier {
        Notifier(store: store, channels: [slack],
            configuration: Configuration(routes: [Route(name: "db", targets: [RouteTarget(channel: "slack")], notifyOnResolve: true)]),
            clock: ManualClock())
    }

    func testAResolveNoticeSaysWhoResolvedItAndAPageCarriesTheTriggersDetails() async throws {
        for (name, store) in try await TestStores.all() {
            let slack = ScriptedChannel(name: "slack")
            let first = notifier(store, slack: slack)
            _ = try await first.process(AlertEvent(kind: .failover, environment: "prod", summary: "failed over", dedupKey: "db",
                                                   details: ["to": .string("db-2")]))
            // Record the resolve only; a second notifier (another process) delivers the notice.
            _ = try await first.act(.resolve, alertID: 1, actor: "alice", note: "promoted back", deliverNow: false)
            let second = notifier(store, slack: slack)
            _ = try await second.runDue()
            XCTAssertEqual(slack.received.map(\.event.action), [.trigger, .resolve], name)
            XCTAssertEqual(slack.received.first?.event.details["to"], .string("db-2"), name)
            XCTAssertEqual(slack.received.last?.event.actor, "alice", name)
            XCTAssertEqual(slack.received.last?.event.note, "promoted back", name)
            XCTAssertEqual(slack.received.last?.event.kind, .failover, "\(name): the notice is about the alert, whatever the resolve named")
        }
    }
}
