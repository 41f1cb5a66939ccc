@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import XCTest

final class DelivererTests: NotifyTestCase {
    private func deliver(_ script: [DeliveryOutcome], policy: RetryPolicy = RetryPolicy(maxAttempts: 4, initialBackoff: .seconds(1), maxBackoff: .seconds(30), jitter: 0)) async -> (DeliveryReport, ManualClock, ScriptedChannel) {
        let clock = ManualClock()
        let channel = ScriptedChannel(name: "c", script: script)
        let deliverer = Deliverer(policy: policy, clock: clock, random: { 0.5 })
        let alert = Alert.sample()
        let report = await deliverer.deliver(Notification(alert: alert, event: AlertEvent(kind: .failover, summary: "s"), body: "b"), via: channel)
        return (report, clock, channel)
    }

    func testRetryableFailuresBackOffExponentially() async {
        let failure = DeliveryOutcome.retryable(reason: "HTTP 500", retryAfter: nil)
        let (report, clock, channel) = await deliver([failure, failure, failure, .delivered(providerID: "m1")])
        XCTAssertEqual(report.outcome, .delivered(providerID: "m1"))
        XCTAssertEqual(report.attempts.count, 4)
        XCTAssertEqual(channel.received.count, 4)
        XCTAssertEqual(clock.sleeps, [.seconds(1), .seconds(2), .seconds(4)])
    }

    func testRetryAfterIsHonouredInsteadOfBackoff() async {
        let (report, clock, _) = await deliver([.retryable(reason: "HTTP 429", retryAfter: .seconds(7)), .delivered(providerID: nil)])
        XCTAssertTrue(report.outcome.isDelivered)
        XCTAssertEqual(clock.sleeps, [.seconds(7)])
    }

    func testRetryAfterBeyondTheLimitIsNotWaitedFor() async {
        let policy = RetryPolicy(maxAttempts: 4, initialBackoff: .seconds(1), maxRetryAfter: .seconds(60))
        let (report, clock, channel) = await deliver([.retryable(reason: "HTTP 429", retryAfter: .seconds(3600)), .delivered(providerID: nil)], policy: policy)
        XCTAssertEqual(report.outcome, .retryable(reason: "HTTP 429", retryAfter: .seconds(3600)))
        XCTAssertEqual(channel.received.count, 1)
        XCTAssertEqual(clock.sleeps, [])
    }

    func testPermanentFailureIsNotRetried() async {
        let (report, clock, channel) = await deliver([.permanent(reason: "HTTP 404 channel_not_found"), .delivered(providerID: nil)])
        XCTAssertEqual(report.outcome, .permanent(reason: "HTTP 404 channel_not_found"))
        XCTAssertEqual(channel.received.count, 1)
        XCTAssertEqual(clock.sleeps, [])
    }

    func testAttemptBudgetEndsRetries() async {
        let (report, clock, channel) = await deliver([.retryable(reason: "HTTP 503", retryAfter: nil)])
        XCTAssertEqual(report.attempts.count, 4)
        XCTAssertEqual(channel.received.count, 4)
        XCTAssertEqual(report.outcome.label, "retryable")
        XCTAssertEqual(clock.sleeps.count, 3)
    }

    func testBackoffIsCappedAndJittered() {
        let policy = RetryPolicy(maxAttempts: 10, initialBackoff: .seconds(1), maxBackoff: .seconds(5), jitter: 0.2)
        XCTAssertEqual(policy.delay(afterAttempt: 1, retryAfter: nil, random: 0.5), .seconds(1))
        XCTAssertEqual(policy.delay(afterAttempt: 6, retryAfter: nil, random: 0.5), .seconds(5))
        XCTAssertEqual(policy.delay(afterAttempt: 1, retryAfter: nil, random: 0), .milliseconds(800))
        XCTAssertEqual(policy.delay(afterAttempt: 1, retryAfter: nil, random: 1), .milliseconds(1200))
        XCTAssertNil(policy.delay(afterAttempt: 10, retryAfter: nil, random: 0.5))
    }

    func testRetryAfterHeaderFormats() {
        let now = Date(timeIntervalSince1970: 1_795_514_400)  // Tue, 24 Nov 2026 10:00:00 GMT
        XCTAssertEqual(HTTPResponseClassifier.parseRetryAfter("30", now: now), .seconds(30))
        XCTAssertEqual(HTTPResponseClassifier.parseRetryAfter("Tue, 24 Nov 2026 10:01:30 GMT", now: now), .seconds(90))
        XCTAssertNil(HTTPResponseClassifier.parseRetryAfter("soon", now: now))
    }
}
