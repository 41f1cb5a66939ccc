@testable import Alerting
import AsyncHTTPClient
import Foundation
import MetricsTestKit
import XCTest

/// Every way an HTTP channel fails has a category, and `/metrics` counts failures by it.
final class FailureCategoryTests: NotifyTestCase {
    func testWhatProvidersAnswerFallsIntoItsCategory() async throws {
        let provider = try await FakeHTTPServer(script: [
            .init(status: .tooManyRequests, body: "", headers: ["Retry-After": "1"]),
            .init(status: .badGateway, body: ""),
            .init(status: .notFound, body: "no_such_hook"),
            .init(status: .ok, body: "ok", delay: .seconds(3)),
        ])
        let channel = WebhookChannel(name: "hook", url: Secret(provider.baseURL + "/hook"), client: .shared, timeout: .seconds(1))
        let note = Alerting.Notification(alert: .sample(), event: AlertEvent(kind: .failover, summary: "s"), body: nil)
        var categories: [FailureCategory?] = []
        for _ in 0..<4 { categories.append(await channel.deliver(note).failureCategory) }
        let port = provider.port
        await provider.stop()
        let closed = WebhookChannel(name: "hook", url: Secret("http://127.0.0.1:\(port)/hook"), client: .shared, timeout: .seconds(1))
        categories.append(await closed.deliver(note).failureCategory)
        XCTAssertEqual(categories, [.rateLimited, .serverError, .rejected, .timeout, .network])
        XCTAssertNil(DeliveryOutcome.delivered(providerID: nil).failureCategory)
        XCTAssertEqual(DeliveryOutcome.throttled(nextAllowed: Date()).failureCategory, .throttled)
        XCTAssertEqual(DeliveryOutcome.permanent(reason: "contact bob has no pushover address").failureCategory, .other)
    }

    func testMetricsCountFailuresByCategory() async throws {
        let metrics = TestMetrics()
        let report = DeliveryReport(channel: "hook", attempts: [.init(startedAt: Date(), outcome: .retryable(reason: "HTTP 429", retryAfter: nil))])
        NotifyMetrics(factory: metrics).delivered(report, latency: 0.1)
        let counter = try metrics.expectCounter(NotifyMetrics.notifications, [("channel", "hook"), ("outcome", "retryable"), ("category", "rate_limited")])
        XCTAssertEqual(counter.totalValue, 1)
    }
}
