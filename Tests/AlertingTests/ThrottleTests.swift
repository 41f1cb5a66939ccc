@testable import Alerting
import XCTest

/// Per-contact throttles with a manual clock: what is held back, and the digest that follows.
final class ThrottleTests: XCTestCase {
    let alice = Contact(name: "alice", phone: PhoneNumber("+14155550100"))
    let clock = ManualClock(now: Date(timeIntervalSince1970: 1_795_514_400))  // 2026-11-24 10:00:00Z

    private func notifier(_ channel: ScriptedChannel, contacts: [Contact]? = nil, channelThrottles: [String: ThrottleRule] = [:]) -> Notifier {
        Notifier(
            router: Router(routes: [Route(name: "page", targets: [RouteTarget(channel: channel.name, contacts: ["alice"])])]),
            channels: [channel], contacts: contacts ?? [alice], channelThrottles: channelThrottles, clock: clock)
    }

    private func smsChannel(_ script: [DeliveryOutcome] = [.delivered(providerID: nil)]) -> ScriptedChannel {
        ScriptedChannel(name: "sms", script: script, template: TemplateSelector(family: "sms", format: .text), medium: .sms)
    }

    private func trigger(_ n: Int) -> AlertEvent {
        AlertEvent(kind: .healthCheckFailure, environment: "prod", source: "web-\(n)", summary: "web-\(n) down")
    }

    func testDefaultSMSThrottleAllowsFiveIn15MinutesThenHoldsBack() async throws {
        let channel = smsChannel()
        let notifier = notifier(channel)
        var outcomes: [String] = []
        for n in 1...7 {
            let result = try await notifier.process(trigger(n))
            outcomes.append(result.reports[0].outcome.label)
            clock.advance(by: .seconds(60))
        }
        XCTAssertEqual(outcomes, ["delivered", "delivered", "delivered", "delivered", "delivered", "throttled", "throttled"])
        XCTAssertEqual(channel.received.count, 5)
        let pending = await notifier.throttleLedger.pending(.init(contact: "alice", medium: .sms))
        XCTAssertEqual(pending.map(\.alertID), [6, 7])
    }

    func testNextAllowedMessageCarriesTheDigest() async throws {
        let channel = smsChannel()
        let notifier = notifier(channel, channelThrottles: ["sms": ThrottleRule(limit: 2, window: .seconds(600))])
        for n in 1...5 {
            _ = try await notifier.process(trigger(n))     // 10:00 ... 10:04: two sent, three held back
            clock.advance(by: .seconds(60))
        }
        XCTAssertEqual(channel.received.count, 2)
        clock.advance(by: .seconds(600))                     // 10:15: the window has room again
        let result = try await notifier.process(trigger(6))
        XCTAssertEqual(result.reports[0].outcome.label, "delivered")
        let body = try XCTUnwrap(channel.received.last?.body)
        XCTAssertTrue(body.hasPrefix("(+3 more since 10:02Z) WARNING #6 Health check failure prod/web-6: web-6 down"), body)
        XCTAssertTrue(body.contains("earlier: #3 web-3 down; #4 web-4 down; #5 web-5 down"), body)
        let pending = await notifier.throttleLedger.pending(.init(contact: "alice", medium: .sms))
        XCTAssertEqual(pending, [])
    }

    func testWindowSlides() async throws {
        let channel = smsChannel()
        let notifier = notifier(channel, channelThrottles: ["sms": ThrottleRule(limit: 2, window: .seconds(300))])
        _ = try await notifier.process(trigger(1))   // 10:00
        clock.advance(by: .seconds(200))
        _ = try await notifier.process(trigger(2))   // 10:03:20
        clock.advance(by: .seconds(50))
        let third = try await notifier.process(trigger(3))   // 10:04:10: two in the last 5 minutes
        XCTAssertEqual(third.reports[0].outcome, .throttled(nextAllowed: clock.now() + 50))
        clock.advance(by: .seconds(51))              // 10:05:01: the 10:00 one has left the window
        let fourth = try await notifier.process(trigger(4))
        XCTAssertTrue(fourth.reports[0].outcome.isDelivered)
        XCTAssertEqual(channel.received.last?.digest?.items.map(\.alertID), [3])
    }

    func testContactsOwnLimitWinsOverTheChannels() async throws {
        var strict = alice
        strict.throttles[.sms] = ThrottleRule(limit: 1, window: .seconds(3600))
        let channel = smsChannel()
        let notifier = notifier(channel, contacts: [strict], channelThrottles: ["sms": ThrottleRule(limit: 10, window: .seconds(60))])
        _ = try await notifier.process(trigger(1))
        let second = try await notifier.process(trigger(2))
        XCTAssertEqual(second.reports[0].outcome.label, "throttled")
    }

    func testDigestOfAFailedMessageIsNotLost() async throws {
        let channel = smsChannel([.delivered(providerID: nil), .permanent(reason: "HTTP 400"), .delivered(providerID: nil)])
        let notifier = notifier(channel, channelThrottles: ["sms": ThrottleRule(limit: 1, window: .seconds(60))])
        _ = try await notifier.process(trigger(1))                 // sent
        _ = try await notifier.process(trigger(2))                 // held back
        clock.advance(by: .seconds(61))
        let failed = try await notifier.process(trigger(3))        // carries #2, and fails
        XCTAssertEqual(failed.reports[0].outcome.label, "permanent")
        clock.advance(by: .seconds(61))
        _ = try await notifier.process(trigger(4))                 // carries #2 again
        XCTAssertEqual(channel.received.last?.digest?.items.map(\.alertID), [2])
    }

    func testVoiceAndSMSHaveSeparateBudgets() async throws {
        let sms = smsChannel()
        let voice = ScriptedChannel(name: "voice", template: TemplateSelector(family: "voice", format: .text), medium: .voice)
        let notifier = Notifier(
            router: Router(routes: [Route(name: "page", targets: [RouteTarget(channel: "sms", contacts: ["alice"]), RouteTarget(channel: "voice", contacts: ["alice"])])]),
            channels: [sms, voice], contacts: [alice], clock: clock)
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
        let notifier = Notifier(router: Router(routes: [Route(name: "r", channels: ["sms"])]), channels: [channel], clock: clock)
        let report = await notifier.sendTest(channel: "sms")
        XCTAssertEqual(report.outcome, .permanent(reason: "channel sms reaches people: name them with `to:`"))
    }
}
