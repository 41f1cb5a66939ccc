@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import AsyncHTTPClient
import Foundation
import XCTest

/// Two-way acknowledgement through `notify serve`: SMS replies and keypad presses signed as
/// Twilio signs them, Slack buttons signed as Slack signs them; with fakes playing Twilio and Slack.
final class AcknowledgementTests: NotifyTestCase {
    let clock = ManualClock(now: Date(timeIntervalSince1970: 1_795_514_400))  // 2026-11-24 10:00:00Z
    let token = "TWILIO-AUTH-TOKEN"
    let bearer = ["Authorization": "Bearer t0ken"]
    static let twilioCreated = FakeHTTPServer.Answer(status: .created, body: #"{"sid":"SM0123","status":"queued"}"#, headers: ["Content-Type": "application/json"])

    /// SMS first, a call to the same person five minutes later, unless someone acknowledges.
    private func startTwilio() async throws -> (ServerHarness, FakeHTTPServer) {
        let twilio = try await FakeHTTPServer(script: [Self.twilioCreated])
        let harness = try await ServerHarness(config: """
            channels:
              sms: {type: twilio_sms, account_sid: ACtest, auth_token: \(token), from: "+15005550006", base_url: \(twilio.baseURL)}
              voice: {type: twilio_voice, account_sid: ACtest, auth_token: \(token), from: "+15005550006", base_url: \(twilio.baseURL)}
            contacts:
              alice: {phone: "+14155550100"}
            policies:
              page-alice:
                steps:
                  - after: 0s
                    notify: [{channel: sms, to: [alice]}]
                  - after: 5m
                    notify: [{channel: voice, to: [alice]}]
            routes:
              - policy: page-alice
            server:
              token: t0ken
              public_url: https://notify.example.com
            """, clock: clock)
        return (harness, twilio)
    }

    private func openAlert(_ server: ServerHarness, summary: String = "db-1 failed over") async throws -> Int64 {
        let answer = try await server.post("/v1/events", body: #"{"kind":"failover","environment":"prod","source":"db-1","summary":"\#(summary)"}"#, headers: bearer)
        XCTAssertEqual(answer.status, 202, answer.body)
        try await server.notifier.runDue()
        return Int64(try XCTUnwrap((answer.json?["alerts"] as? [[String: Any]])?.first?["id"] as? Int))
    }

    func testSMSReplyAcknowledgesAndStopsEscalation() async throws {
        let (server, twilio) = try await startTwilio()
        defer { Task { await server.stop(); await twilio.stop() } }
        let id = try await openAlert(server)
        XCTAssertEqual(twilio.requests.map(\.path), ["/2010-04-01/Accounts/ACtest/Messages.json"])

        let reply = try await server.postTwilio("/twilio/sms", [("From", "+14155550100"), ("To", "+15005550006"), ("Body", "ack"), ("MessageSid", "SM9")], token: token)
        XCTAssertEqual(reply.status, 200)
        XCTAssertTrue(reply.headers["content-type"]?.hasPrefix("text/xml") ?? false)
        XCTAssertTrue(reply.body.contains("<Message>Alert #\(id) acknowledged: db-1 failed over</Message>"), reply.body)
        let alert = try await server.notifier.store.alert(id: id)
        XCTAssertEqual(alert?.status, .acknowledged)
        let log = try await server.notifier.store.log(alertID: id)
        XCTAssertEqual(log.last?.actor, "alice")
        XCTAssertEqual(log.last?.note, "by SMS reply")

        // Five minutes on, the call step would have fired: it does not.
        clock.advance(by: .seconds(600))
        try await server.notifier.runDue()
        XCTAssertEqual(twilio.requests.count, 1, "no call after the acknowledgement")
    }

    func testWithoutAnAcknowledgementTheCallGoesOut() async throws {
        let (server, twilio) = try await startTwilio()
        defer { Task { await server.stop(); await twilio.stop() } }
        _ = try await openAlert(server)
        clock.advance(by: .seconds(301))
        try await server.notifier.runDue()
        XCTAssertEqual(twilio.requests.last?.path, "/2010-04-01/Accounts/ACtest/Calls.json")
        // The call offers the keypad menu at the server's public URL.
        let twiml = try XCTUnwrap(twilio.requests.last?.form["Twiml"])
        XCTAssertTrue(twiml.contains("https://notify.example.com/twilio/voice/gather?alert=1"), twiml)
    }

    func testSMSReplyGrammarAndRefusals() async throws {
        let (server, twilio) = try await startTwilio()
        defer { Task { await server.stop(); await twilio.stop() } }
        let first = try await openAlert(server, summary: "first")
        let second = try await openAlert(server, summary: "second")
        let from = ("From", "+14155550100")

        let forged = try await server.postTwilio("/twilio/sms", [from, ("Body", "ack")], token: "not-the-token")
        XCTAssertEqual(forged.status, 403)
        let unsigned = try await server.post("/twilio/sms", body: HTTPForm.encode([from, ("Body", "ack")]), headers: ["Content-Type": "application/x-www-form-urlencoded"])
        XCTAssertEqual(unsigned.status, 403)
        // Signed for another URL (a replay against another endpoint, or a proxy rewriting it).
        let elsewhere = try await server.postTwilio("/twilio/sms", [from, ("Body", "ack")], token: token, publicURL: "https://evil.example.com")
        XCTAssertEqual(elsewhere.status, 403)
        let stranger = try await server.postTwilio("/twilio/sms", [("From", "+14155559999"), ("Body", "ack \(first)")], token: token)
        XCTAssertEqual(stranger.status, 200)
        XCTAssertFalse(stranger.body.contains("<Message>"), "strangers get no answer")
        for id in [first, second] {
            let status = try await server.notifier.store.alert(id: id)?.status
            XCTAssertEqual(status, .triggered, "nothing acknowledged by a refused request")
        }

        let help = try await server.postTwilio("/twilio/sms", [from, ("Body", "what?")], token: token)
        XCTAssertTrue(help.body.contains("Reply 4 or ACK"), help.body)
        // "4" alone: the last alert sent to that number.
        let bare = try await server.postTwilio("/twilio/sms", [from, ("Body", "4")], token: token)
        XCTAssertTrue(bare.body.contains("Alert #\(second) acknowledged"), bare.body)
        let named = try await server.postTwilio("/twilio/sms", [from, ("Body", "resolve \(first)")], token: token)
        XCTAssertTrue(named.body.contains("Alert #\(first) resolved"), named.body)
        let again = try await server.postTwilio("/twilio/sms", [from, ("Body", "6 \(first)")], token: token)
        XCTAssertTrue(again.body.contains("already resolved"), again.body)
        let missing = try await server.postTwilio("/twilio/sms", [from, ("Body", "ack 999")], token: token)
        XCTAssertTrue(missing.body.contains("there is no alert #999"), missing.body)
    }

    func testKeypad() async throws {
        let (server, twilio) = try await startTwilio()
        defer { Task { await server.stop(); await twilio.stop() } }
        let id = try await openAlert(server)
        let path = "/twilio/voice/gather?alert=\(id)"
        let call = [("CallSid", "CA1"), ("From", "+15005550006"), ("To", "+14155550100")]

        let other = try await server.postTwilio(path, call + [("Digits", "9")], token: token)
        XCTAssertEqual(other.status, 200)
        XCTAssertTrue(other.body.contains("<Gather"), "anything else hears the alert again: \(other.body)")
        XCTAssertTrue(other.body.contains("db-1 failed over"), other.body)

        let forged = try await server.postTwilio(path, call + [("Digits", "4")], token: "wrong")
        XCTAssertEqual(forged.status, 403)
        let ack = try await server.postTwilio(path, call + [("Digits", "4")], token: token)
        XCTAssertTrue(ack.body.contains("<Say>Alert #\(id) acknowledged"), ack.body)
        XCTAssertTrue(ack.body.contains("<Hangup/>"))
        let log = try await server.notifier.store.log(alertID: id)
        XCTAssertEqual(log.last?.actor, "alice")
        XCTAssertEqual(log.last?.note, "by phone keypad")
        let resolve = try await server.postTwilio(path, call + [("Digits", "6")], token: token)
        XCTAssertTrue(resolve.body.contains("resolved"), resolve.body)
        let status = try await server.notifier.store.alert(id: id)?.status
        XCTAssertEqual(status, .resolved)
    }

    // MARK: Slack

    let signingSecret = "slack-signing-secret"

    private func startSlack() async throws -> (ServerHarness, FakeHTTPServer) {
        let slack = try await FakeHTTPServer(script: [.init(status: .ok, body: #"{"ok":true,"channel":"C1","ts":"1700000000.000100"}"#, headers: ["Content-Type": "application/json"])])
        let harness = try await ServerHarness(config: """
            channels:
              slack-bot: {type: slack_bot, token: xoxb-SECRET, channel: C1, base_url: \(slack.baseURL)/api}
            contacts:
              alice: {slack: U_ALICE}
            routes:
              - notify: [slack-bot]
                notify_on_resolve: true
            server:
              token: t0ken
              slack: {signing_secret: \(signingSecret)}
            """, clock: clock)
        return (harness, slack)
    }

    private func interaction(action: String, alertID: Int64, user: String, responseURL: String) -> String {
        let payload: [String: Any] = [
            "type": "block_actions", "user": ["id": user, "username": "someone"], "response_url": responseURL,
            "message": ["text": "CRITICAL #\(alertID)", "blocks": [["type": "section", "block_id": "b1", "text": ["type": "mrkdwn", "text": "hi"]]]],
            "actions": [["action_id": action, "value": String(alertID), "type": "button"]],
        ]
        let json = String(decoding: try! JSONSerialization.data(withJSONObject: payload), as: UTF8.self)
        return HTTPForm.encode([("payload", json)])
    }

    private func postSlack(_ server: ServerHarness, _ body: String, timestamp: Date? = nil, signature: String? = nil) async throws -> ServerHarness.Answer {
        let stamp = String(Int((timestamp ?? clock.now()).timeIntervalSince1970))
        let signed = signature ?? SlackSignature(signingSecret: Secret(signingSecret)).sign(timestamp: stamp, body: Array(body.utf8))
        return try await server.post("/slack/interactions", body: body, headers: [
            "Content-Type": "application/x-www-form-urlencoded", "X-Slack-Signature": signed, "X-Slack-Request-Timestamp": stamp])
    }

    func testSlackButtonsAcknowledgeAndTheMessageSaysSo() async throws {
        let (server, slack) = try await startSlack()
        defer { Task { await server.stop(); await slack.stop() } }
        let id = try await openAlert(server)
        let post = try XCTUnwrap(slack.requests.first)
        XCTAssertEqual(post.path, "/api/chat.postMessage")
        XCTAssertEqual(post.headers["authorization"], "Bearer xoxb-SECRET")
        let blocks = try XCTUnwrap(post.json?["blocks"] as? [[String: Any]])
        let actions = try XCTUnwrap(blocks.last?["elements"] as? [[String: Any]])
        XCTAssertEqual(actions.map { $0["action_id"] as? String }, ["notify_acknowledge", "notify_resolve"])
        XCTAssertEqual(actions.first?["value"] as? String, String(id))
        XCTAssertEqual(post.json?["channel"] as? String, "C1")

        let responseURL = slack.baseURL + "/actions/T1/123/abc"
        let body = interaction(action: "notify_acknowledge", alertID: id, user: "U_ALICE", responseURL: responseURL)
        let answer = try await postSlack(server, body)
        XCTAssertEqual(answer.status, 200)
        let status = try await server.notifier.store.alert(id: id)?.status
        XCTAssertEqual(status, .acknowledged)
        let log = try await server.notifier.store.log(alertID: id)
        XCTAssertEqual(log.last?.actor, "alice")
        XCTAssertEqual(log.last?.note, "by Slack")

        // The message is replaced: who acknowledged, and only Resolve left.
        let update = try await waitForRequest(slack, path: "/actions/T1/123/abc")
        XCTAssertEqual(update.json?["replace_original"] as? Bool, true)
        let updated = try XCTUnwrap(update.json?["blocks"] as? [[String: Any]])
        XCTAssertTrue(String(describing: updated).contains("acknowledged"), "\(updated)")
        XCTAssertEqual((updated.last?["elements"] as? [[String: Any]])?.map { $0["action_id"] as? String }, ["notify_resolve"])

        // Resolving posts the notice in the thread of the first message.
        _ = try await postSlack(server, interaction(action: "notify_resolve", alertID: id, user: "U_ALICE", responseURL: responseURL))
        try await server.notifier.runDue()
        let notice = try XCTUnwrap(slack.requests.last { $0.path == "/api/chat.postMessage" })
        XCTAssertEqual(notice.json?["thread_ts"] as? String, "1700000000.000100")
    }

    func testSlackRefusesForgedStaleAndStrangers() async throws {
        let (server, slack) = try await startSlack()
        defer { Task { await server.stop(); await slack.stop() } }
        let id = try await openAlert(server)
        let responseURL = slack.baseURL + "/actions/T1/9/x"
        let body = interaction(action: "notify_acknowledge", alertID: id, user: "U_ALICE", responseURL: responseURL)

        let forged = try await postSlack(server, body, signature: "v0=" + String(repeating: "0", count: 64))
        XCTAssertEqual(forged.status, 401)
        let stale = try await postSlack(server, body, timestamp: clock.now() - 301)
        XCTAssertEqual(stale.status, 401)
        XCTAssertTrue(stale.body.contains("5 minutes"), stale.body)
        let tampered = body.replacingOccurrences(of: "U_ALICE", with: "U_MALLORY")
        let signedForOriginal = SlackSignature(signingSecret: Secret(signingSecret)).sign(timestamp: String(Int(clock.now().timeIntervalSince1970)), body: Array(body.utf8))
        let swapped = try await postSlack(server, tampered, signature: signedForOriginal)
        XCTAssertEqual(swapped.status, 401)
        var status = try await server.notifier.store.alert(id: id)?.status
        XCTAssertEqual(status, .triggered)

        let stranger = try await postSlack(server, interaction(action: "notify_acknowledge", alertID: id, user: "U_STRANGER", responseURL: responseURL))
        XCTAssertEqual(stranger.status, 200)
        let ephemeral = try await waitForRequest(slack, path: "/actions/T1/9/x")
        XCTAssertEqual(ephemeral.json?["response_type"] as? String, "ephemeral")
        status = try await server.notifier.store.alert(id: id)?.status
        XCTAssertEqual(status, .triggered)
    }

    private func waitForRequest(_ server: FakeHTTPServer, path: String) async throws -> FakeHTTPServer.ReceivedRequest {
        for _ in 0..<200 {
            if let request = server.requests.first(where: { $0.path == path }) { return request }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw MissingValue()
    }
}

/// The `slack_bot` channel's unhappy answers: Slack's Web API says most errors in a 200.
final class SlackBotChannelTests: NotifyTestCase {
    func testWebAPIErrorsAreRetryableOrPermanentByCode() {
        XCTAssertEqual(SlackBotChannel.outcome(of: Data(#"{"ok":true,"ts":"1.2"}"#.utf8)), .delivered(providerID: "1.2"))
        XCTAssertEqual(SlackBotChannel.outcome(of: Data(#"{"ok":false,"error":"ratelimited"}"#.utf8)).label, "retryable")
        XCTAssertEqual(SlackBotChannel.outcome(of: Data(#"{"ok":false,"error":"internal_error"}"#.utf8)).label, "retryable")
        XCTAssertEqual(SlackBotChannel.outcome(of: Data(#"{"ok":false,"error":"channel_not_found"}"#.utf8)), .permanent(reason: "Slack: channel_not_found"))
        XCTAssertEqual(SlackBotChannel.outcome(of: Data(#"{"ok":false,"error":"invalid_auth"}"#.utf8)).label, "permanent")
        XCTAssertEqual(SlackBotChannel.outcome(of: Data("<html>".utf8)).label, "retryable")
    }

    func test429HonoursRetryAfterAndTheTokenNeverShows() async throws {
        let slack = try await FakeHTTPServer(script: [.init(status: .tooManyRequests, body: "", headers: ["Retry-After": "7"])])
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let channel = SlackBotChannel(name: "bot", token: Secret("xoxb-SECRET"), conversation: "C1", baseURL: slack.baseURL, client: client)
        let alert = Alert.sample()
        let event = AlertEvent(kind: .failover, summary: "s")
        let outcome = await channel.deliver(Alerting.Notification(alert: alert, event: event, body: #"{"text":"hi","blocks":[]}"#))
        XCTAssertEqual(outcome, .retryable(reason: "HTTP 429", retryAfter: .seconds(7)))
        XCTAssertFalse("\(outcome)".contains("xoxb"))
        let closed = await channel.deliver(Alerting.Notification(alert: alert, event: event, body: "not json"))
        XCTAssertEqual(closed.label, "permanent")
        try await client.shutdown()
        await slack.stop()
    }
}
