@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import XCTest

/// Per-contact throttles with a manual clock: what is held back, and the digest that follows, on
/// every store (the throttle's ledger is the store's: several processes count one person together).
final class ThrottleTests: NotifyTestCase {
    let alice = Contact(name: "alice", phone: PhoneNumber("+14155550100"))
    private(set) var clock = ManualClock(now: ThrottleTests.start)
    static let start = Date(timeIntervalSince1970: 1_795_514_400)  // 2026-11-24 10:00:00Z

    /// Each store in turn, from 10:00:00 again.
    private func eachStore(_ body: (String, any AlertStore) async throws -> Void) async throws {
        for (name, store) in try await TestStores.all() {
            clock = ManualClock(now: Self.start)
            try await body(name, store)
        }
    }

    private func notifier(_ channel: ScriptedChannel, store: any AlertStore = MemoryAlertStore(), contacts: [Contact]? = nil,
                          channelThrottles: [String: ThrottleRule] = [:]) -> Notifier {
        Notifier(store: store, channels: [channel],
                 configuration: Configuration(routes: [Route(name: "page", targets: [RouteTarget(channel: channel.name, contacts: ["alice"])])],
                                              contacts: contacts ?? [alice], delivery: .init(throttles: channelThrottles)),
                 clock: clock)
    }

    private func smsChannel(_ script: [DeliveryOutcome] = [.delivered(providerID: nil)]) -> ScriptedChannel {
        ScriptedChannel(name: "sms", script: script, template: TemplateSelector(family: "sms", format: .text), medium: .sms)
    }

    private func trigger(_ n: Int) -> AlertEvent {
        AlertEvent(kind: .healthCheckFailure, environment: "prod", source: "web-\(n)", summary: "web-\(n) down")
    }

    func testDefaultSMSThrottleAllowsFiveIn15MinutesThenHoldsBack() async throws {
        try await eachStore { name, store in
            let channel = smsChannel()
            let notifier = notifier(channel, store: store)
            var outcomes: [String] = []
            for n in 1...7 {
                let result = try await notifier.process(trigger(n))
                outcomes.append(result.reports[0].outcome.label)
                clock.advance(by: .seconds(60))
            }
            XCTAssertEqual(outcomes, ["delivered", "delivered", "delivered", "delivered", "delivered", "throttled", "throttled"], name)
            XCTAssertEqual(channel.received.count, 5, name)
            let waiting = try await notifier.store.read { try $0.openOutbox(recipient: "alice").map(\.item.alertID) }
            XCTAssertEqual(waiting, [6, 7], "\(name): held in the state store, not in this process")
        }
    }

    func testNextAllowedMessageCarriesTheDigest() async throws {
        try await eachStore { name, store in
            let channel = smsChannel()
            let notifier = notifier(channel, store: store, channelThrottles: ["sms": ThrottleRule(limit: 2, window: .seconds(600))])
            for n in 1...5 {
                _ = try await notifier.process(trigger(n))     // 10:00 ... 10:04: two sent, three held back
                clock.advance(by: .seconds(60))
            }
            XCTAssertEqual(channel.received.count, 2, name)
            clock.advance(by: .seconds(60))                      // 10:06: room in the window again at 10:10
            let result = try await notifier.process(trigger(6))   // held too, with #3 to #5
            XCTAssertEqual(result.reports[0].outcome.label, "throttled", name)
            clock.advance(by: .seconds(240))                     // 10:10: a running notify (here runDue) sends what waits
            _ = try await notifier.runDue()
            XCTAssertEqual(channel.received.count, 3, "\(name): one message for the four held pages")
            let body = try XCTUnwrap(channel.received.last?.body)
            // The newest page leads, the ones held before it follow, newest first.
            XCTAssertTrue(body.hasPrefix("(+3 more since 10:02Z) WARNING #6 Health check failure prod/web-6: web-6 down"), "\(name): \(body)")
            XCTAssertTrue(body.contains("earlier: #5 web-5 down; #4 web-4 down; #3 web-3 down"), "\(name): \(body)")
            let waiting = try await notifier.store.read { try $0.openOutbox(recipient: "alice") }
            XCTAssertEqual(waiting, [], "\(name): carried: nothing left waiting")
            let log = try await notifier.store.deliveries(alertID: 5)
            XCTAssertEqual(log.last?.report.outcome.label, "delivered", "\(name): the carried alert's timeline shows the delivery")
        }
    }

    func testWindowSlides() async throws {
        try await eachStore { name, store in
            let channel = smsChannel()
            let notifier = notifier(channel, store: store, channelThrottles: ["sms": ThrottleRule(limit: 2, window: .seconds(300))])
            _ = try await notifier.process(trigger(1))   // 10:00
            clock.advance(by: .seconds(200))
            _ = try await notifier.process(trigger(2))   // 10:03:20
            clock.advance(by: .seconds(50))
            let third = try await notifier.process(trigger(3))   // 10:04:10: two in the last 5 minutes
            XCTAssertEqual(third.reports[0].outcome, .throttled(nextAllowed: clock.now() + 50), name)
            clock.advance(by: .seconds(50))              // 10:05:00: the 10:00 one has left the window
            let released = try await notifier.runDue()   // what a running notify does then
            XCTAssertEqual(released.map(\.item.alertID), [3], name)
            XCTAssertTrue(released.allSatisfy { $0.report.outcome.isDelivered }, name)
            XCTAssertEqual(channel.received.map(\.alert.id), [1, 2, 3], name)
        }
    }

    func testContactsOwnLimitWinsOverTheChannels() async throws {
        try await eachStore { name, store in
            var strict = alice
            strict.throttles[.sms] = ThrottleRule(limit: 1, window: .seconds(3600))
            let channel = smsChannel()
            let notifier = notifier(channel, store: store, contacts: [strict], channelThrottles: ["sms": ThrottleRule(limit: 10, window: .seconds(60))])
            _ = try await notifier.process(trigger(1))
            let second = try await notifier.process(trigger(2))
            XCTAssertEqual(second.reports[0].outcome.label, "throttled", name)
        }
    }

    func testPagesCarriedByAMessageThatFailedAreStillOwed() async throws {
        try await eachStore { name, store in
            let channel = smsChannel([.delivered(providerID: nil), .permanent(reason: "HTTP 400"), .delivered(providerID: nil)])
            let notifier = notifier(channel, store: store, channelThrottles: ["sms": ThrottleRule(limit: 1, window: .seconds(60))])
            _ = try await notifier.process(trigger(1))                 // 10:00:00 sent
            clock.advance(by: .seconds(10))
            _ = try await notifier.process(trigger(2))                 // held until 10:01
            clock.advance(by: .seconds(10))
            _ = try await notifier.process(trigger(3))                 // held until 10:01
            clock.advance(by: .seconds(41))                            // 10:01:01
            let failed = try await notifier.runDue()                   // #2 carries #3, and fails
            XCTAssertEqual(failed.map { "#\($0.item.alertID) \($0.report.outcome.label)" }, ["#2 permanent", "#3 throttled"], "\(name): #3 owed again, waiting for the window")
            XCTAssertEqual(channel.received.last?.alert.id, 3, "\(name): the newest leads")
            XCTAssertEqual(channel.received.last?.digest?.items.map(\.alertID), [2], name)
            clock.advance(by: .seconds(61))
            let later = try await notifier.runDue()                    // #3 was not lost with it
            XCTAssertEqual(later.map(\.item.alertID), [3], name)
            XCTAssertTrue(later.allSatisfy { $0.report.outcome.isDelivered }, name)
        }
    }

    func testAThrottledPageIsNotLostWhenTheProcessThatHeldItEnds() async throws {
        let path = temporaryStatePath()
        let channel = smsChannel()
        func process() throws -> Notifier {
            Notifier(store: try SQLiteAlertStore(path: path), channels: [channel],
                configuration: Configuration(routes: [Route(name: "page", targets: [RouteTarget(channel: "sms", contacts: ["alice"])])], contacts: [alice], delivery: .init(throttles: ["sms": ThrottleRule(limit: 1, window: .seconds(60))])),
                clock: clock)
        }
        _ = try await process().process(trigger(1))                // one notify send: delivered
        let held = try await process().process(trigger(2))         // another: throttled, and it exits
        XCTAssertEqual(held.reports.map(\.outcome.label), ["throttled"])
        clock.advance(by: .seconds(60))
        let tick = try await process().runDue()                    // a third (notify tick) sends it
        XCTAssertEqual(tick.map(\.item.alertID), [2])
        XCTAssertEqual(channel.received.map(\.alert.id), [1, 2])
    }

    func testVoiceAndSMSHaveSeparateBudgets() async throws {
        let sms = smsChannel()
        let voice = ScriptedChannel(name: "voice", template: TemplateSelector(family: "voice", format: .text), medium: .voice)
        let notifier = Notifier(channels: [sms, voice],
            configuration: Configuration(routes: [Route(name: "page", targets: [RouteTarget(channel: "sms", contacts: ["alice"]), RouteTarget(channel: "voice", contacts: ["alice"])])], contacts: [alice]),
            clock: clock)
        var voiceOutcomes: [String] = []
        for n in 1...4 {
            let result = try await notifier.process(trigger(n))
            voiceOutcomes.append(result.reports.first { $0.channel == "voice" }?.outcome.label ?? "")
        }
        XCTAssertEqual(voiceOutcomes, ["delivered", "delivered", "delivered", "throttled"])  // voice: 3 per 15 min
        XCTAssertEqual(sms.received.count, 4)                                                 // sms: 5 per 15 min
    }

    func testPersonChannelWithoutRecipientIsAPermanentError() async {
        let channel = smsChannel()
        let notifier = Notifier(channels: [channel], configuration: Configuration(routes: [Route(name: "r", channels: ["sms"])]), clock: clock)
        let report = await notifier.sendTest(channel: "sms")
        XCTAssertEqual(report.outcome, .permanent(reason: "channel sms reaches people: name them with `to:`"))
    }
}
