@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import XCTest

/// Storm control with a manual clock: a cap on different alerts per contact across media, one
/// digest for the rest, kept in the state store.
final class StormControlTests: NotifyTestCase {
    let alice = Contact(name: "alice", phone: PhoneNumber("+14155550100"))
    let clock = ManualClock(now: Date(timeIntervalSince1970: 1_795_514_400))  // 2026-11-24 10:00:00Z
    let storm = StormControl(maxNewAlerts: 2, window: .seconds(600), digestWait: .seconds(60))
    /// Loose enough that only storm control holds anything back.
    let loose: [String: ThrottleRule] = ["sms": ThrottleRule(limit: 100, window: .seconds(60)), "voice": ThrottleRule(limit: 100, window: .seconds(60))]

    private func channels() -> (sms: ScriptedChannel, voice: ScriptedChannel) {
        (ScriptedChannel(name: "sms", template: TemplateSelector(family: "sms", format: .text), medium: .sms),
         ScriptedChannel(name: "voice", template: TemplateSelector(family: "voice", format: .text), medium: .voice))
    }

    private func notifier(store: any AlertStore = MemoryAlertStore(), sms: ScriptedChannel, voice: ScriptedChannel, bothMedia: Bool = false) -> Notifier {
        var targets = [RouteTarget(channel: "sms", contacts: ["alice"])]
        if bothMedia { targets.append(RouteTarget(channel: "voice", contacts: ["alice"])) }
        return Notifier(store: store, channels: [sms, voice],
            configuration: Configuration(routes: [Route(name: "page", targets: targets)], contacts: [alice], delivery: .init(throttles: loose, stormControl: storm)),
            clock: clock)
    }

    private func trigger(_ n: Int) -> AlertEvent {
        AlertEvent(kind: .healthCheckFailure, environment: "prod", source: "web-\(n)", summary: "web-\(n) down")
    }

    private func burst(_ notifier: Notifier, _ range: ClosedRange<Int>) async throws -> [String] {
        var outcomes: [String] = []
        for n in range { outcomes.append(try await notifier.process(trigger(n)).reports.map(\.outcome.label).joined(separator: "+")) }
        return outcomes
    }

    func testABurstPagesTheFirstAlertsThenSendsOneDigest() async throws {
        for store in try await TestStores.all().map(\.store) {
            let (sms, voice) = channels()
            let notifier = notifier(store: store, sms: sms, voice: voice)
            let outcomes = try await burst(notifier, 1...6)
            XCTAssertEqual(outcomes, ["delivered", "delivered", "throttled", "throttled", "throttled", "throttled"], "\(store)")
            XCTAssertEqual(sms.received.count, 2)
            let wake = try await store.nextWakeUp()
            XCTAssertEqual(wake, clock.now() + 60, "the digest is scheduled")

            clock.advance(by: .seconds(59))
            let early = try await notifier.runDue()
            XCTAssertEqual(early.count, 0, "the digest gathers for digest_wait")
            clock.advance(by: .seconds(1))
            let delivered = try await notifier.runDue()
            XCTAssertEqual(delivered.count, 1, "one digest, not four pages")
            XCTAssertEqual(sms.received.count, 3)
            let digest = try XCTUnwrap(sms.received.last)
            XCTAssertEqual(digest.alert.id, 6)
            XCTAssertEqual(digest.digest?.items.map(\.alertID), [5, 4, 3], "newest first")
            XCTAssertTrue(try XCTUnwrap(digest.body).contains("WARNING #6 Health check failure prod/web-6: web-6 down | earlier: #5 web-5 down; #4 web-4 down; #3 web-3 down"), digest.body ?? "")
            // Each carried alert's timeline says it reached alice.
            let third = try await store.deliveries(alertID: 3).map(\.report.outcome.label)
            XCTAssertEqual(third, ["throttled", "delivered"])
            clock.advance(by: .seconds(3600))
        }
    }

    func testTheCapCountsAlertsAcrossMediaNotMessages() async throws {
        let (sms, voice) = channels()
        let notifier = notifier(sms: sms, voice: voice, bothMedia: true)
        let outcomes = try await burst(notifier, 1...3)
        XCTAssertEqual(outcomes, ["delivered+delivered", "delivered+delivered", "throttled+throttled"])
        XCTAssertEqual(sms.received.count + voice.received.count, 4)
        clock.advance(by: .seconds(60))
        try await notifier.runDue()
        // The held alert goes once, on the medium it was first held for.
        XCTAssertEqual(sms.received.count, 3)
        XCTAssertEqual(voice.received.count, 2)
        XCTAssertEqual(sms.received.last?.alert.id, 3)
    }

    func testAnotherPageOfAnAlertThatAlreadyPagedIsNotNew() async throws {
        let (sms, voice) = channels()
        let notifier = notifier(sms: sms, voice: voice)
        _ = try await burst(notifier, 1...2)
        // The same alert again (a retrigger after resolve is a new alert; a repeat step is not):
        let repeatPage = try await notifier.store.admitPage(contact: "alice", alertID: 1, channel: "sms", at: clock.now(), storm: storm)
        XCTAssertEqual(repeatPage, .send)
        let newAlert = try await notifier.store.admitPage(contact: "alice", alertID: 99, channel: "sms", at: clock.now(), storm: storm)
        XCTAssertEqual(newAlert, .held(digestAt: clock.now() + 60))
    }

    func testAcknowledgedAlertsLeaveTheDigest() async throws {
        let (sms, voice) = channels()
        let notifier = notifier(sms: sms, voice: voice)
        _ = try await burst(notifier, 1...4)    // 3 and 4 held
        _ = try await notifier.acknowledge(alertID: 3, by: "bob")
        clock.advance(by: .seconds(60))
        try await notifier.runDue()
        XCTAssertEqual(sms.received.count, 3)
        XCTAssertEqual(sms.received.last?.alert.id, 4)
        XCTAssertNil(sms.received.last?.digest, "nothing else left to carry")
    }

    func testEverythingAcknowledgedMeansNoDigest() async throws {
        let (sms, voice) = channels()
        let notifier = notifier(sms: sms, voice: voice)
        _ = try await burst(notifier, 1...4)
        _ = try await notifier.acknowledge(alertID: 3)
        _ = try await notifier.acknowledge(alertID: 4)
        clock.advance(by: .seconds(60))
        try await notifier.runDue()
        XCTAssertEqual(sms.received.count, 2)
        let next = try await notifier.store.nextWakeUp()
        XCTAssertNil(next)
    }

    func testTheWindowOpensAgainAfterTheDigest() async throws {
        let (sms, voice) = channels()
        let notifier = notifier(sms: sms, voice: voice)
        _ = try await burst(notifier, 1...3)
        clock.advance(by: .seconds(60))
        try await notifier.runDue()                       // digest of #3 alone
        let fourth = try await burst(notifier, 4...4)
        XCTAssertEqual(fourth, ["throttled"], "the window is still full")
        clock.advance(by: .seconds(30))
        let fifth = try await burst(notifier, 5...5)
        XCTAssertEqual(fifth, ["throttled"], "a digest is gathering: #5 joins it")
        clock.advance(by: .seconds(30))
        try await notifier.runDue()
        XCTAssertEqual(sms.received.last?.alert.id, 5)
        XCTAssertEqual(sms.received.last?.digest?.items.map(\.alertID), [4])
        clock.advance(by: .seconds(601))
        let sixth = try await burst(notifier, 6...6)
        XCTAssertEqual(sixth, ["delivered"], "ten quiet minutes later, alerts page one by one again")
    }

    func testHeldPagesSurviveARestart() async throws {
        let path = temporaryStatePath()
        let (sms, voice) = channels()
        _ = try await burst(notifier(store: try SQLiteAlertStore(path: path), sms: sms, voice: voice), 1...4)
        XCTAssertEqual(sms.received.count, 2)
        // A new process on the same state file sends the digest when it is due.
        let (sms2, voice2) = channels()
        let restarted = notifier(store: try SQLiteAlertStore(path: path), sms: sms2, voice: voice2)
        clock.advance(by: .seconds(60))
        try await restarted.runDue()
        XCTAssertEqual(sms2.received.map(\.alert.id), [4])
        XCTAssertEqual(sms2.received.first?.digest?.items.map(\.alertID), [3])
    }

    func testPlacesAreNotCapped() async throws {
        let slack = ScriptedChannel(name: "slack")
        let notifier = Notifier(channels: [slack],
            configuration: Configuration(routes: [Route(name: "all", targets: [RouteTarget(channel: "slack")])], delivery: .init(stormControl: storm)),
            clock: clock)
        for n in 1...5 { _ = try await notifier.process(trigger(n)) }
        XCTAssertEqual(slack.received.count, 5, "storm control is about people; a channel keeps its full history")
    }

    func testConfig() throws {
        let base = """
            channels: {sms: {type: console}}
            routes: [{notify: [sms]}]
            """
        let config = try ConfigLoader(environment: [:]).parse(base + "\nstorm_control: {max_new_alerts: 3, window: 10m, digest_wait: 2m}\n")
        XCTAssertEqual(config.stormControl, StormControl(maxNewAlerts: 3, window: .seconds(600), digestWait: .seconds(120)))
        XCTAssertNil(try ConfigLoader(environment: [:]).parse(base).stormControl)
        XCTAssertThrowsError(try ConfigLoader(environment: [:]).parse(base + "\nstorm_control: {window: 10m}\n")) { error in
            XCTAssertTrue("\(error)".contains("storm_control.max_new_alerts"), "\(error)")
        }
    }
}
