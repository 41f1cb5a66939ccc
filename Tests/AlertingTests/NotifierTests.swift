@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import XCTest

final class NotifierTests: NotifyTestCase {
    private func notifier(channels: [any Channel], routes: [Route]? = nil, store: any AlertStore = MemoryAlertStore()) -> Notifier {
        Notifier(store: store, channels: channels,
            configuration: Configuration(routes: routes ?? [Route(name: "all", channels: channels.map(\.name))]),
            clock: ManualClock())
    }

    private let trigger = AlertEvent(kind: .failover, environment: "prod", source: "db-1", summary: "failed over")

    func testOpeningTriggerIsDeliveredToEveryChannelOfTheRoute() async throws {
        let a = ScriptedChannel(name: "a"), b = ScriptedChannel(name: "b")
        let result = try await notifier(channels: [a, b]).process(trigger)
        XCTAssertEqual(result.transition.change, .opened)
        XCTAssertEqual(result.reports.map(\.channel), ["a", "b"])
        XCTAssertEqual(a.received.count, 1)
        XCTAssertEqual(b.received.count, 1)
    }

    func testTriggerOnOpenAlertDoesNotPageAgain() async throws {
        let channel = ScriptedChannel(name: "a")
        let notifier = notifier(channels: [channel])
        _ = try await notifier.process(trigger)
        let again = try await notifier.process(trigger)
        XCTAssertEqual(again.transition.change, .deduplicated)
        XCTAssertEqual(again.alert?.count, 2)
        XCTAssertEqual(again.reports.count, 0)
        XCTAssertEqual(channel.received.count, 1)
    }

    func testResolveIsSentOnlyWhenTheRouteAsksForIt() async throws {
        let quiet = ScriptedChannel(name: "quiet")
        let silentRoute = notifier(channels: [quiet])
        _ = try await silentRoute.process(trigger)
        let resolved = try await silentRoute.process(AlertEvent(kind: .failover, action: .resolve, environment: "prod", source: "db-1"))
        XCTAssertEqual(resolved.transition.change, .resolved)
        XCTAssertEqual(quiet.received.count, 1)

        let loud = ScriptedChannel(name: "loud")
        let tellingRoute = notifier(channels: [loud], routes: [Route(name: "r", channels: ["loud"], notifyOnResolve: true)])
        _ = try await tellingRoute.process(trigger)
        _ = try await tellingRoute.process(AlertEvent(kind: .failover, action: .resolve, environment: "prod", source: "db-1"))
        XCTAssertEqual(loud.received.map(\.alert.status), [.triggered, .resolved])
    }

    func testUnroutedAlertIsFlaggedNotDropped() async throws {
        let channel = ScriptedChannel(name: "a")
        let routes = [Route(name: "staging", matchers: [RouteMatcher(field: .environment, patterns: [GlobPattern("staging")])], channels: ["a"])]
        let result = try await notifier(channels: [channel], routes: routes).process(trigger)
        XCTAssertTrue(result.unrouted)
        XCTAssertEqual(result.alert?.id, 1)
        XCTAssertEqual(channel.received.count, 0)
    }

    func testDeliveriesAreRecordedInTheAlertsTimeline() async throws {
        let store: any AlertStore = MemoryAlertStore()
        let channel = ScriptedChannel(name: "a", script: [.permanent(reason: "HTTP 404 channel_not_found")])
        let result = try await notifier(channels: [channel], store: store).process(trigger)
        let records = try await store.deliveries(alertID: try XCTUnwrap(result.alert?.id))
        XCTAssertEqual(records.map(\.report.outcome), [.permanent(reason: "HTTP 404 channel_not_found")])
    }

    func testTemplateFailureIsAPermanentFailureOfThatChannelOnly() async throws {
        let broken = ScriptedChannel(name: "broken", template: TemplateSelector(family: "nosuchfamily", format: .text))
        let fine = ScriptedChannel(name: "fine")
        let result = try await notifier(channels: [broken, fine]).process(trigger)
        XCTAssertEqual(result.reports[0].outcome.label, "permanent")
        XCTAssertTrue(result.reports[0].outcome.reason?.contains("no template found") == true)
        XCTAssertTrue(result.reports[1].outcome.isDelivered)
        XCTAssertEqual(broken.received.count, 0)
    }

    func testDeliveriesToSeveralChannelsRunConcurrently() async throws {
        // Each channel waits until both are in flight: delivered one after the other, neither
        // would ever finish (they give up after 5 s and fail the test).
        let gate = Gate(expected: 2)
        let channels = [GatedChannel(name: "a", gate: gate), GatedChannel(name: "b", gate: gate)]
        let result = try await notifier(channels: channels).process(trigger)
        XCTAssertEqual(result.reports.map(\.outcome), [.delivered(providerID: nil), .delivered(providerID: nil)])
    }
}

extension NotifierTests {
    func testExplainShowsRoutesPolicyAndEveryPageWithoutSending() async throws {
        let sms = ScriptedChannel(name: "sms", medium: .sms)
        let slack = ScriptedChannel(name: "slack")
        let clock = ManualClock(now: Date(timeIntervalSince1970: 1_795_514_400))
        let policy = EscalationPolicy(name: "db", steps: [
            .init(after: .zero, targets: [RouteTarget(channel: "slack")]),
            .init(after: .seconds(300), targets: [RouteTarget(channel: "sms", contacts: ["alice"])]),
        ], ackTimeout: .seconds(3600))
        let notifier = Notifier(channels: [sms, slack], configuration: Configuration(routes: [
                Route(name: "staging", matchers: [RouteMatcher(field: .environment, patterns: [GlobPattern("staging")])], channels: ["slack"]),
                Route(name: "prod", policy: "db"),
            ], policies: [policy], contacts: [Contact(name: "alice", phone: PhoneNumber("+14155550100"))]), clock: clock)
        let explanation = try await notifier.explain(trigger)
        XCTAssertEqual(explanation.routes.map(\.matched), [false, true])
        XCTAssertEqual(explanation.routes[0].failed, [#"environment=staging ("prod")"#])
        XCTAssertEqual(explanation.route, "prod")
        XCTAssertEqual(explanation.pages.map { "\($0.at.timeIntervalSince1970 - 1_795_514_400) \($0.channel) \($0.to ?? "-") \($0.phone ?? "-")" },
                       ["0.0 slack - -", "300.0 sms alice +14155550100"])
        XCTAssertTrue(explanation.text.contains("2026-11-24T10:05:00Z  step 2  sms to alice (+14155550100)"), explanation.text)
        XCTAssertEqual(sms.received.count + slack.received.count, 0)
        let recorded = try await notifier.store.alerts(statuses: Set(AlertStatus.allCases))
        XCTAssertEqual(recorded.count, 0)

        _ = try await notifier.process(trigger)
        let again = try await notifier.explain(trigger)
        XCTAssertEqual(again.openAlertID, 1)
        XCTAssertTrue(again.text.contains("alert #1 is already open with this dedup key"))
    }
}

/// Opens when `expected` callers are waiting at once; `giveUp` opens it for everyone with false.
actor Gate {
    let expected: Int
    private var arrived = 0
    private var waiters: [CheckedContinuation<Bool, Never>] = []

    init(expected: Int) { self.expected = expected }

    /// True when the gate opened because everyone arrived.
    func arriveAndWait() async -> Bool {
        arrived += 1
        if arrived >= expected {
            waiters.forEach { $0.resume(returning: true) }
            waiters = []
            return true
        }
        return await withCheckedContinuation { waiters.append($0) }
    }

    func giveUp() {
        waiters.forEach { $0.resume(returning: false) }
        waiters = []
    }
}

struct GatedChannel: Channel {
    let name: String
    let gate: Gate
    let template: TemplateSelector? = nil

    func deliver(_ notification: Alerting.Notification) async -> DeliveryOutcome {
        let gate = gate
        let watchdog = Task {
            try await Task.sleep(for: .seconds(5))
            await gate.giveUp()
        }
        defer { watchdog.cancel() }
        return await gate.arriveAndWait() ? .delivered(providerID: nil) : .permanent(reason: "the other delivery never started")
    }
}
