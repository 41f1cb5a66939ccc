@testable import Alerting
@testable import AlertingConfig
import AsyncHTTPClient
import Foundation
import XCTest

/// Pushover and ntfy: each against a fake that answers as the provider documents
/// (../shared/reference/channels-wire-specs.md §4–5), through Examples/channels.yaml, and one
/// attempt at a time for the unhappy answers.
final class PushChannelTests: NotifyTestCase {
    private var client: HTTPClient { .shared }

    private func notification(severity: Severity = .critical, resolved: Bool = false, recipient: Contact? = Contact(name: "alice", addresses: ["pushover": "uKEY", "ntfy": "alice-topic"])) -> Alerting.Notification {
        var alert = Alert.sample()
        alert.summary = "db-1 failed over to db-2"
        alert.severity = severity
        if resolved { alert.status = .resolved }
        return Alerting.Notification(alert: alert, event: AlertEvent(kind: .failover, summary: alert.summary),
                                     body: "CRITICAL #1 Failover in prod\ndb-1 failed over to db-2\nprod/db-1", recipient: recipient)
    }

    // MARK: Pushover

    func testPushoverSendsAnEmergencyToThePersonsKeyAndKeepsTheReceipt() async throws {
        let pushover = try await FakeHTTPServer(script: [.init(status: .ok, body: #"{"status":1,"request":"647d2300-702c-4b38-8b2f-d56326ae460b","receipt":"rLqVuqTRh62UzxtmqiaLzQmVcPgiCy"}"#,
                                                               headers: ["X-Limit-App-Remaining": "9999"])])
        let report = try await ExampleChannels.sendTest("pushover", to: "alice", server: pushover)
        await pushover.stop()
        XCTAssertEqual(report.outcome, .delivered(providerID: "rLqVuqTRh62UzxtmqiaLzQmVcPgiCy"))
        XCTAssertFalse("\(report)".contains("SUPERSECRET"), "\(report)")
        let request = try XCTUnwrap(pushover.requests.first)
        XCTAssertEqual(request.path, "/1/messages.json")
        XCTAssertEqual(request.headers["content-type"], "application/x-www-form-urlencoded")
        let form = request.form
        XCTAssertEqual(form["token"], ExampleChannels.environment["PUSHOVER_APP_TOKEN"])
        XCTAssertEqual(form["user"], "uQiRzpo4DXghDmr9QzzfQu27cmVRsG", "alice's pushover: key")
        XCTAssertEqual(form["priority"], "2")
        XCTAssertEqual(form["retry"], "60")
        XCTAssertEqual(form["expire"], "3600")
        XCTAssertEqual(form["tags"], "notify-alert-0")
        XCTAssertTrue(form["title"]?.hasPrefix("INFO #0") == true, form["title"] ?? "")
        XCTAssertTrue(form["message"]?.contains("Test notification from notify") == true, form["message"] ?? "")
    }

    func testPushoverResolveNoticeGoesAtNormalPriorityWithoutRepeats() async throws {
        let pushover = try await FakeHTTPServer(script: [.init(status: .ok, body: #"{"status":1,"request":"r1"}"#)])
        let channel = PushoverChannel(name: "p", token: Secret("SUPERSECRET"), baseURL: pushover.baseURL, client: client)
        let outcome = await channel.deliver(notification(resolved: true))
        await pushover.stop()
        XCTAssertEqual(outcome, .delivered(providerID: "r1"))
        let form = try XCTUnwrap(pushover.requests.first).form
        XCTAssertEqual(form["priority"], "0")
        XCTAssertNil(form["retry"])
        XCTAssertNil(form["expire"])
    }

    func testPushoverErrorsQuotaAndServerFailures() async throws {
        let pushover = try await FakeHTTPServer(script: [
            .init(status: .badRequest, body: #"{"user":"invalid","errors":["user identifier is not a valid user, group, or subscribed user key"],"status":0,"request":"r"}"#),
            .init(status: .tooManyRequests, body: #"{"status":0,"errors":["application has exceeded its monthly message limit"]}"#, headers: ["X-Limit-App-Reset": "1893456000"]),
            .init(status: .serviceUnavailable, body: ""),
        ])
        let channel = PushoverChannel(name: "p", token: Secret("SUPERSECRETAPP"), baseURL: pushover.baseURL, client: client)
        let invalid = await channel.deliver(notification())
        XCTAssertEqual(invalid, .permanent(reason: "HTTP 400 Pushover: user identifier is not a valid user, group, or subscribed user key"))
        let quota = await channel.deliver(notification())
        XCTAssertEqual(quota, .permanent(reason: "Pushover: this month's message limit is used up"), "weeks away: escalation goes on instead of waiting")
        let down = await channel.deliver(notification())
        await pushover.stop()
        XCTAssertEqual(down, .retryable(reason: "HTTP 503", retryAfter: .seconds(5)), "Pushover asks for 5 s between tries")
        for outcome in [invalid, quota, down] { XCTAssertFalse("\(outcome)".contains("SUPERSECRET"), "\(outcome)") }
    }

    func testPushoverWithoutAKeyIsPermanentAndItsBoundsAreConfigErrors() async throws {
        let channel = PushoverChannel(name: "p", token: Secret("t"), baseURL: "http://127.0.0.1:1", client: client)
        let outcome = await channel.deliver(notification(recipient: Contact(name: "bob")))
        XCTAssertEqual(outcome, .permanent(reason: "contact bob has no pushover address"))
        XCTAssertEqual(PushoverChannel.Settings(retry: .seconds(10)).problem, "retry must be at least 30s (Pushover's minimum)")
        XCTAssertEqual(PushoverChannel.Settings(expire: .seconds(4 * 3600)).problem, "expire must be between retry and 3h (Pushover's maximum)")
        XCTAssertThrowsError(try ConfigLoader(environment: [:]).parse("""
            channels: {p: {type: pushover, token: t, retry: 10s}}
            routes: [{notify: [{channel: p, to: [a]}]}]
            contacts: {a: {pushover: k}}
            """)) { error in XCTAssertTrue("\(error)".contains("retry must be at least 30s"), "\(error)") }
    }

    // MARK: ntfy

    func testNtfyPublishesJSONToTheRootWithThePersonsTopic() async throws {
        let ntfy = try await FakeHTTPServer(script: [.init(status: .ok, body: #"{"id":"sPs71M8A2T","time":1643935928,"expires":1643936928,"event":"message","topic":"alice-pages-7f3k2","message":"x"}"#)])
        let report = try await ExampleChannels.sendTest("ntfy", to: "alice", server: ntfy)
        await ntfy.stop()
        XCTAssertEqual(report.outcome, .delivered(providerID: "sPs71M8A2T"))
        let request = try XCTUnwrap(ntfy.requests.first)
        XCTAssertEqual(request.path, "/", "JSON goes to the root URL, not the topic's")
        XCTAssertNil(request.headers["authorization"], "this channel has no token")
        let json = try XCTUnwrap(request.json)
        XCTAssertEqual(json["topic"] as? String, "alice-pages-7f3k2")
        XCTAssertEqual(json["priority"] as? Int, 3, "a test is info")
        XCTAssertTrue((json["title"] as? String)?.hasPrefix("INFO #0") == true, request.body)
        XCTAssertTrue((json["message"] as? String)?.contains("Test notification") == true, request.body)
    }

    func testNtfyTopicWithAnAccessTokenAndPriorityBySeverity() async throws {
        let ntfy = try await FakeHTTPServer(script: [.init(status: .ok, body: #"{"id":"a1"}"#)])
        let report = try await ExampleChannels.sendTest("ntfy-ops", server: ntfy)
        XCTAssertEqual(report.outcome, .delivered(providerID: "a1"))
        XCTAssertFalse("\(report)".contains("SUPERSECRET"), "\(report)")
        let request = try XCTUnwrap(ntfy.requests.first)
        XCTAssertEqual(request.headers["authorization"], "Bearer tk_SUPERSECRETNTFY")
        XCTAssertEqual(request.json?["topic"] as? String, "ops-alerts")

        let channel = NtfyChannel(name: "n", destination: .topic(Secret("t")), baseURL: ntfy.baseURL, client: client)
        _ = await channel.deliver(notification(severity: .critical))
        _ = await channel.deliver(notification(severity: .critical, resolved: true))
        await ntfy.stop()
        let critical = try XCTUnwrap(ntfy.requests.dropFirst().first?.json)
        XCTAssertEqual(critical["priority"] as? Int, 5)
        XCTAssertEqual(critical["tags"] as? [String], ["rotating_light"])
        XCTAssertEqual(critical["title"] as? String, "CRITICAL #1 Failover in prod", "the first line of the push template")
        let resolved = try XCTUnwrap(ntfy.requests.last?.json)
        XCTAssertEqual(resolved["priority"] as? Int, 3)
        XCTAssertEqual(resolved["tags"] as? [String], ["white_check_mark"])
    }

    func testNtfyErrorsAreRetryableOrPermanentAsTheirHTTPStatusSays() async throws {
        let ntfy = try await FakeHTTPServer(script: [
            .init(status: .tooManyRequests, body: #"{"code":42901,"http":429,"error":"limit reached: too many requests","link":"https://ntfy.sh/docs/publish/#limitations"}"#),
            .init(status: .forbidden, body: #"{"code":40301,"http":403,"error":"forbidden","link":"https://ntfy.sh/docs/publish/#authentication"}"#),
            .init(status: .internalServerError, body: ""),
        ])
        let channel = NtfyChannel(name: "n", destination: .topic(Secret("SUPERSECRETTOPIC")), token: Secret("tk_SUPERSECRET"), baseURL: ntfy.baseURL, client: client)
        let limited = await channel.deliver(notification())
        XCTAssertEqual(limited, .retryable(reason: "HTTP 429 ntfy: limit reached: too many requests", retryAfter: nil))
        let forbidden = await channel.deliver(notification())
        XCTAssertEqual(forbidden, .permanent(reason: "HTTP 403 ntfy: forbidden"))
        let failing = await channel.deliver(notification())
        await ntfy.stop()
        XCTAssertEqual(failing.label, "retryable")
        for outcome in [limited, forbidden, failing] { XCTAssertFalse("\(outcome)".contains("SUPERSECRET"), "\(outcome)") }
    }

    func testAPushTemplatesFirstLineIsTheTitle() {
        XCTAssertEqual(PushText(rendered: "Title\nline 1\nline 2\n"), PushText(rendered: "\nTitle\nline 1\nline 2"))
        XCTAssertEqual(PushText(rendered: "Title\nline 1\nline 2").message, "line 1\nline 2")
        XCTAssertEqual(PushText(rendered: "only one line").message, "only one line")
    }
}
