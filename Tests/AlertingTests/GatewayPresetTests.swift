@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import Foundation
import HTTPTypes
import XCTest

/// The presets in Examples/gateways.yaml, each against a fake that checks the provider's exact
/// request shape (../shared/reference/wire-specs.md §3).
final class GatewayPresetTests: NotifyTestCase {
    private func runtime(_ server: FakeHTTPServer) async throws -> NotifyRuntime {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let environment = [
            "VONAGE_BASE_URL": server.baseURL, "VONAGE_API_KEY": "vkey", "VONAGE_API_SECRET": "SUPERSECRETV", "VONAGE_FROM": "NotifyOps",
            "PLIVO_BASE_URL": server.baseURL, "PLIVO_AUTH_ID": "MA0123", "PLIVO_AUTH_TOKEN": "SUPERSECRETP", "PLIVO_FROM": "14155550199",
            "MESSAGEBIRD_BASE_URL": server.baseURL, "MESSAGEBIRD_ACCESS_KEY": "SUPERSECRETM", "MESSAGEBIRD_ORIGINATOR": "NotifyOps",
        ]
        let config = try ConfigLoader(environment: environment).load(path: root.appendingPathComponent("Examples/gateways.yaml").path)
        return try await NotifyRuntime(config: config, clock: ManualClock())
    }

    private func sendTest(_ channel: String, server: FakeHTTPServer) async throws -> DeliveryReport {
        let runtime = try await runtime(server)
        let report = await runtime.notifier.sendTest(channel: channel, to: runtime.config.contacts["alice"])
        try await runtime.shutdown()
        XCTAssertFalse("\(report)".contains("SUPERSECRET"), "\(report)")
        return report
    }

    func testVonageFormRequestAndStatusZeroIsDelivered() async throws {
        let server = try await FakeHTTPServer(script: [.init(status: .ok, body: """
            {"message-count":"1","messages":[{"to":"14155550100","message-id":"0C000000217B7F02","status":"0","remaining-balance":"15.53590000","message-price":"0.03330000","network":"23410"}]}
            """)])
        let report = try await sendTest("vonage-sms", server: server)
        await server.stop()
        XCTAssertEqual(report.outcome, .delivered(providerID: "0C000000217B7F02"))
        let request = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(request.path, "/sms/json")
        XCTAssertEqual(request.headers["content-type"], "application/x-www-form-urlencoded")
        let form = request.form
        XCTAssertEqual(form["api_key"], "vkey")
        XCTAssertEqual(form["api_secret"], "SUPERSECRETV")
        XCTAssertEqual(form["from"], "NotifyOps")
        XCTAssertEqual(form["to"], "14155550100", "Vonage wants digits only")
        XCTAssertEqual(form["client-ref"], "notify-0")
        XCTAssertTrue(form["text"]?.hasPrefix("INFO #0 test test/notify: Test notification from notify") == true, form["text"] ?? "")
        XCTAssertEqual(SMSText.segmentCount(form["text"] ?? ""), 1)
    }

    func testVonageAnswers200ToFailuresToo() async throws {
        let badCredentials = FakeHTTPServer.Answer(status: .ok, body: #"{"message-count":"1","messages":[{"status":"4","error-text":"Bad Credentials"}]}"#)
        let server = try await FakeHTTPServer(script: [badCredentials])
        let report = try await sendTest("vonage-sms", server: server)
        XCTAssertEqual(report.outcome, .permanent(reason: #"HTTP 200, messages.0.status = "4": Bad Credentials"#))
        XCTAssertEqual(server.requests.count, 1)

        server.setScript([.init(status: .ok, body: #"{"message-count":"1","messages":[{"status":"1","error-text":"Throughput Rate Exceeded"}]}"#), .init(status: .ok, body: #"{"messages":[{"status":"0","message-id":"m2"}]}"#)])
        let retried = try await sendTest("vonage-sms", server: server)
        await server.stop()
        XCTAssertEqual(retried.attempts.map(\.outcome.label), ["retryable", "delivered"])
    }

    func testPlivoJSONRequestWithBasicAuth() async throws {
        let server = try await FakeHTTPServer(script: [.init(status: .accepted, body: #"{"message":"message(s) queued","message_uuid":["db3ce55a-7f1d-11e1-8ea7-1231380bc196"],"api_id":"db342550-7f1d-11e1-8ea7-1231380bc196"}"#)])
        let report = try await sendTest("plivo-sms", server: server)
        await server.stop()
        XCTAssertEqual(report.outcome, .delivered(providerID: "db3ce55a-7f1d-11e1-8ea7-1231380bc196"))
        let request = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(request.path, "/v1/Account/MA0123/Message/")
        XCTAssertEqual(request.headers["authorization"], "Basic " + Data("MA0123:SUPERSECRETP".utf8).base64EncodedString())
        XCTAssertEqual(request.headers["content-type"], "application/json")
        let body = try XCTUnwrap(request.json)
        XCTAssertEqual(body["src"] as? String, "14155550199")
        XCTAssertEqual(body["dst"] as? String, "14155550100")
        XCTAssertTrue((body["text"] as? String)?.hasPrefix("INFO #0") == true)
    }

    func testMessageBirdJSONRequestWithAccessKey() async throws {
        let server = try await FakeHTTPServer(script: [.init(status: .created, body: #"{"id":"e8077d803532c0b5937c639b60216938","href":"https://rest.messagebird.com/messages/e8077d80","direction":"mt","type":"sms","recipients":{"totalCount":1,"totalSentCount":1}}"#)])
        let report = try await sendTest("messagebird-sms", server: server)
        await server.stop()
        XCTAssertEqual(report.outcome, .delivered(providerID: "e8077d803532c0b5937c639b60216938"))
        let request = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(request.path, "/messages")
        XCTAssertEqual(request.headers["authorization"], "AccessKey SUPERSECRETM")
        let body = try XCTUnwrap(request.json)
        XCTAssertEqual(body["originator"] as? String, "NotifyOps")
        XCTAssertEqual(body["recipients"] as? [Int], [14155550100])
        XCTAssertEqual(body["reference"] as? String, "notify-0")
        XCTAssertNotNil(body["body"] as? String)
    }

    func testGatewayErrorStatusUsesTheProvidersErrorText() async throws {
        let server = try await FakeHTTPServer(script: [.init(status: .unprocessableContent, body: #"{"errors":[{"code":9,"description":"no (correct) recipients found","parameter":"recipients"}]}"#)])
        let report = try await sendTest("messagebird-sms", server: server)
        await server.stop()
        XCTAssertEqual(report.outcome, .permanent(reason: "HTTP 422 no (correct) recipients found"))
    }

    func testJSONBodyStaysValidWhateverTheText() async throws {
        let server = try await FakeHTTPServer(script: [.init(status: .created, body: #"{"id":"x"}"#)])
        let runtime = try await runtime(server)
        let alert = AlertStateMachine.newAlert(id: 3, from: AlertEvent(kind: .failover, summary: "quote \" backslash \\ newline \n done"), at: Date())
        let report = await runtime.notifier.deliver(PlannedDelivery(alert: alert, event: AlertEvent(kind: .failover, summary: "x"), channel: "messagebird-sms", recipient: runtime.config.contacts["alice"], route: "t"))
        try await runtime.shutdown()
        await server.stop()
        XCTAssertTrue(report.outcome.isDelivered)
        XCTAssertTrue((server.requests.first?.json?["body"] as? String)?.contains("quote \" backslash \\ newline") == true)
    }
}
