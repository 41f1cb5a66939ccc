import AsyncHTTPClient
@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import XCTest

/// The Slack and webhook channels against a real HTTP server on 127.0.0.1 that plays Slack.
final class SlackChannelTests: NotifyTestCase {
    let secretPath = "/services/T000/B000/SUPERSECRETTOKEN"

    private func runtime(_ server: FakeHTTPServer, clock: ManualClock = ManualClock(), timeout: String = "2s", attempts: Int = 4) async throws -> NotifyRuntime {
        let config = try ConfigLoader(environment: ["URL": server.baseURL + secretPath]).parse("""
            delivery: {timeout: \(timeout), max_attempts: \(attempts), initial_backoff: 1s, jitter: 0}
            channels:
              ops: {type: slack, webhook_url: "${URL}"}
            routes: [{notify: [ops]}]
            """)
        return try await NotifyRuntime(config: config, clock: clock)
    }

    private func send(_ runtime: NotifyRuntime, summary: String = "Primary failed; promoted db-secondary-2") async throws -> ProcessingResult {
        try await runtime.notifier.process(AlertEvent(
            kind: .failover, environment: "prod-us-east", source: "db-primary-1", summary: summary,
            details: ["from": .string("db-primary-1"), "to": .string("db-secondary-2")]))
    }

    private func assertNoSecret(_ result: ProcessingResult, file: StaticString = #filePath, line: UInt = #line) {
        let text = "\(result.reports)"
        XCTAssertFalse(text.contains("SUPERSECRETTOKEN"), text, file: file, line: line)
    }

    func testDeliveredOnOkAndTheFakeGotBlockKitJSON() async throws {
        let server = try await FakeHTTPServer()
        let runtime = try await runtime(server)
        let result = try await send(runtime, summary: "a <b> & c")
        try await runtime.shutdown()
        await server.stop()
        XCTAssertEqual(result.reports.map(\.outcome), [.delivered(providerID: nil)])
        let request = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(server.requests.count, 1)
        XCTAssertEqual(request.path, secretPath)
        XCTAssertEqual(request.headers["content-type"], "application/json; charset=utf-8")
        XCTAssertEqual(request.headers["user-agent"], NotifyVersion.userAgent)
        let body = try XCTUnwrap(request.json)
        XCTAssertTrue(try XCTUnwrap(body["text"] as? String).contains("a &lt;b&gt; &amp; c"))
        XCTAssertNotNil(body["blocks"] as? [[String: Any]])
        assertNoSecret(result)
    }

    func testRateLimitIsRetriedAfterRetryAfter() async throws {
        let server = try await FakeHTTPServer(script: [.init(status: .tooManyRequests, body: "", headers: ["Retry-After": "7"]), .slackOK])
        let clock = ManualClock()
        let runtime = try await runtime(server, clock: clock)
        let result = try await send(runtime)
        try await runtime.shutdown()
        await server.stop()
        XCTAssertTrue(result.reports[0].outcome.isDelivered)
        XCTAssertEqual(result.reports[0].attempts.map(\.outcome.label), ["retryable", "delivered"])
        XCTAssertEqual(server.requests.count, 2)
        XCTAssertEqual(clock.sleeps, [.seconds(7)])
    }

    func testServerErrorThenSuccessIsDelivered() async throws {
        let server = try await FakeHTTPServer(script: [.init(status: .internalServerError, body: "rollup_error"), .slackOK])
        let clock = ManualClock()
        let runtime = try await runtime(server, clock: clock)
        let result = try await send(runtime)
        try await runtime.shutdown()
        await server.stop()
        XCTAssertEqual(result.reports[0].attempts.map(\.outcome), [.retryable(reason: "HTTP 500 rollup_error", retryAfter: nil), .delivered(providerID: nil)])
        XCTAssertEqual(clock.sleeps, [.seconds(1)])
    }

    func testChannelNotFoundIsPermanentAndNotRetried() async throws {
        let server = try await FakeHTTPServer(script: [.init(status: .notFound, body: "channel_not_found")])
        let runtime = try await runtime(server)
        let result = try await send(runtime)
        try await runtime.shutdown()
        await server.stop()
        XCTAssertEqual(result.reports[0].outcome, .permanent(reason: "HTTP 404 channel_not_found"))
        XCTAssertEqual(server.requests.count, 1)
        assertNoSecret(result)
    }

    func testHungServerTimesOutAndIsRetryable() async throws {
        let server = try await FakeHTTPServer(script: [.init(status: .ok, body: "ok", delay: .seconds(3))])
        let runtime = try await runtime(server, timeout: "300ms", attempts: 2)
        let started = ContinuousClock.now
        let result = try await send(runtime)
        let elapsed = ContinuousClock.now - started
        try await runtime.shutdown()
        await server.stop()
        XCTAssertEqual(result.reports[0].attempts.map(\.outcome), Array(repeating: .retryable(reason: "no answer within 300ms", retryAfter: nil), count: 2))
        XCTAssertLessThan(elapsed, .seconds(2), "the request timeout must cut a hung server short")
        assertNoSecret(result)
    }

    func testUnreachableServerIsRetryableWithoutTheURL() async throws {
        let server = try await FakeHTTPServer()
        await server.stop()  // nothing listens on the port any more
        let runtime = try await runtime(server, attempts: 1)
        let result = try await send(runtime)
        try await runtime.shutdown()
        XCTAssertEqual(result.reports[0].outcome.label, "retryable")
        assertNoSecret(result)
        XCTAssertFalse("\(result.reports)".contains("127.0.0.1"))
    }

    func testWebhookPostsAlertAndEventWithConfiguredHeaders() async throws {
        let server = try await FakeHTTPServer(script: [.init(status: .accepted, body: "")])
        let config = try ConfigLoader(environment: ["TOKEN": "SUPERSECRETTOKEN"]).parse("""
            channels:
              hook: {type: webhook, url: "\(server.baseURL)/hook", headers: {Authorization: "Bearer ${TOKEN}"}}
            routes: [{notify: [hook]}]
            """)
        let runtime = try await NotifyRuntime(config: config)
        let result = try await send(runtime)
        try await runtime.shutdown()
        await server.stop()
        XCTAssertTrue(result.reports[0].outcome.isDelivered)
        let request = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(request.headers["authorization"], "Bearer SUPERSECRETTOKEN")
        let body = try XCTUnwrap(request.json)
        XCTAssertEqual(body["version"] as? String, "1")
        let alert = try XCTUnwrap(body["alert"] as? [String: Any])
        XCTAssertEqual(alert["id"] as? Int, 1)
        XCTAssertEqual(alert["dedup_key"] as? String, "failover/prod-us-east/db-primary-1")
        XCTAssertEqual(alert["status"] as? String, "triggered")
        XCTAssertEqual((alert["details"] as? [String: Any])?["to"] as? String, "db-secondary-2")
        let event = try XCTUnwrap(body["event"] as? [String: Any])
        XCTAssertEqual(event["action"] as? String, "trigger")
    }

    func testWebhookClientErrorIsPermanent() async throws {
        let server = try await FakeHTTPServer(script: [.init(status: .unauthorized, body: "bad token")])
        let config = try ConfigLoader(environment: [:]).parse("""
            channels: {hook: {type: webhook, url: "\(server.baseURL)/hook"}}
            routes: [{notify: [hook]}]
            """)
        let runtime = try await NotifyRuntime(config: config)
        let result = try await send(runtime)
        try await runtime.shutdown()
        await server.stop()
        XCTAssertEqual(result.reports[0].outcome, .permanent(reason: "HTTP 401 bad token"))
    }
}
