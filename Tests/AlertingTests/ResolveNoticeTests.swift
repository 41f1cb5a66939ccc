@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import Foundation
import XCTest

/// Resolve notices go to places and, for people, by SMS at most: never a call (#10).
final class ResolveNoticeTests: NotifyTestCase {
    func testAResolveNoticeNeverCallsTheOneWhoWasCalled() async throws {
        for (name, store) in try await TestStores.all() {
            let slack = ScriptedChannel(name: "slack")
            let sms = ScriptedChannel(name: "sms", medium: .sms)
            let voice = ScriptedChannel(name: "voice", medium: .voice)
            let alice = Contact(name: "alice", phone: PhoneNumber("+14155550100"))
            let route = Route(name: "db", targets: [RouteTarget(channel: "slack"), RouteTarget(channel: "sms", contacts: ["alice"]), RouteTarget(channel: "voice", contacts: ["alice"])],
                              notifyOnResolve: true)
            let notifier = Notifier(store: store, channels: [slack, sms, voice],
                configuration: Configuration(routes: [route], contacts: [alice]),
                clock: ManualClock())
            _ = try await notifier.process(AlertEvent(kind: .failover, environment: "prod", summary: "db-1 failed over", dedupKey: "db"))
            let resolved = try await notifier.resolve(alertID: 1, by: "alice", note: "promoted back")
            XCTAssertEqual(resolved.reports.map(\.destination).sorted(), ["slack", "sms to alice"], "\(name): no call for a resolve")
            XCTAssertEqual(voice.received.map(\.event.action), [.trigger], name)
        }
    }

    func testAResolveNoticeFollowingALateFirstPageNeverCallsEither() async throws {
        for (name, store) in try await TestStores.all() {
            let voice = ScriptedChannel(name: "voice", medium: .voice)
            let alice = Contact(name: "alice", phone: PhoneNumber("+14155550100"))
            let route = Route(name: "db", targets: [RouteTarget(channel: "voice", contacts: ["alice"])], notifyOnResolve: true)
            let notifier = Notifier(store: store, channels: [voice],
                configuration: Configuration(routes: [route], contacts: [alice]),
                clock: ManualClock())
            _ = try await notifier.ingest([AlertEvent(kind: .failover, summary: "db-1 failed over", dedupKey: "db"),
                                           AlertEvent(kind: .failover, action: .resolve, dedupKey: "db")])
            _ = try await notifier.runDue()
            XCTAssertEqual(voice.received.map(\.event.action), [.trigger], "\(name): the first page calls; its resolve notice does not")
        }
    }
}
