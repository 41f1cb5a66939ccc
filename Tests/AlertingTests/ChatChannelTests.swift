@testable import Alerting
@testable import AlertingConfig
import AsyncHTTPClient
import Foundation
import XCTest

/// Teams, Mattermost and Telegram: each against a fake that answers as the provider documents
/// (../shared/reference/channels-wire-specs.md §1–3), through Examples/channels.yaml, and one
/// attempt at a time for the unhappy answers.
final class ChatChannelTests: NotifyTestCase {
    private var client: HTTPClient { .shared }

    private func notification(body: String?, recipient: Contact? = nil) -> Alerting.Notification {
        var alert = Alert.sample()
        alert.summary = "db-1 failed over to db-2"
        return Alerting.Notification(alert: alert, event: AlertEvent(kind: .failover, summary: alert.summary), body: body, recipient: recipient)
    }

    private func assertNoSecret(_ report: DeliveryReport, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse("\(report)".contains("SUPERSECRET"), "\(report)", file: file, line: line)
    }

    // MARK: Teams

    func testTeamsPostsAnAdaptiveCardAndTakes202AsDelivered() async throws {
        let teams = try await FakeHTTPServer(script: [.init(status: .accepted, body: "")])
        let report = try await ExampleChannels.sendTest("teams", server: teams)
        await teams.stop()
        XCTAssertEqual(report.outcome, .delivered(providerID: nil))
        XCTAssertEqual(report.attempts.count, 1, "202 is never retried: a retry posts the card twice")
        let request = try XCTUnwrap(teams.requests.first)
        XCTAssertEqual(request.path, "/workflows/abc/triggers/manual/paths/invoke")
        XCTAssertEqual(request.headers["content-type"], "application/json; charset=utf-8")
        let json = try XCTUnwrap(request.json)
        XCTAssertEqual(json["type"] as? String, "message")
        let attachment = try XCTUnwrap((json["attachments"] as? [[String: Any]])?.first)
        XCTAssertEqual(attachment["contentType"] as? String, "application/vnd.microsoft.card.adaptive")
        let card = try XCTUnwrap(attachment["content"] as? [String: Any])
        XCTAssertEqual(card["type"] as? String, "AdaptiveCard")
        XCTAssertEqual(card["version"] as? String, "1.4", "Power Automate rejects cards newer than 1.4")
        XCTAssertTrue(request.body.contains("Test notification from notify"), request.body)
    }

    func testTeamsRetries429And5xxAndGivesUpOn4xxWithoutTheURL() async throws {
        let teams = try await FakeHTTPServer(script: [
            .init(status: .tooManyRequests, body: "Rate limit is exceeded. Try again in 7 seconds.", headers: ["Retry-After": "7"]),
            .init(status: .badGateway, body: ""),
            .init(status: .notFound, body: #"{"error":{"code":"WorkflowNotFound"}}"#),
        ])
        let channel = TeamsChannel(name: "teams", url: Secret(teams.baseURL + "/workflows/x?sig=SUPERSECRETSIG"), client: client)
        let note = notification(body: #"{"type":"message","attachments":[]}"#)
        let limited = await channel.deliver(note)
        XCTAssertEqual(limited.label, "retryable")
        if case .retryable(_, let retryAfter) = limited { XCTAssertEqual(retryAfter, .seconds(7)) }
        let failing = await channel.deliver(note)
        XCTAssertEqual(failing.label, "retryable")
        let gone = await channel.deliver(note)
        await teams.stop()
        XCTAssertEqual(gone.label, "permanent")
        for outcome in [limited, failing, gone] { XCTAssertFalse("\(outcome)".contains("SUPERSECRET"), "\(outcome)") }
    }

    func testTeamsSendsAShortCardWhenTheFullOneIsTooLarge() async throws {
        let teams = try await FakeHTTPServer(script: [.init(status: .accepted, body: "")])
        let channel = TeamsChannel(name: "teams", url: Secret(teams.baseURL + "/w"), client: client)
        let huge = #"{"type":"message","attachments":[{"content":{"text":""# + String(repeating: "x", count: 40_000) + #""}}]}"#
        let outcome = await channel.deliver(notification(body: huge))
        await teams.stop()
        XCTAssertEqual(outcome, .delivered(providerID: nil))
        let request = try XCTUnwrap(teams.requests.first)
        XCTAssertLessThan(request.body.utf8.count, TeamsChannel.maxBodyBytes)
        XCTAssertTrue(request.body.contains("db-1 failed over to db-2"), request.body)
        XCTAssertTrue(request.body.contains("AdaptiveCard"), request.body)
    }

    // MARK: Mattermost

    func testMattermostPostsTextAndAnAttachmentToTheHookAndItsChannel() async throws {
        let mattermost = try await FakeHTTPServer(script: [.init(status: .ok, body: "ok")])
        let report = try await ExampleChannels.sendTest("mattermost", server: mattermost)
        await mattermost.stop()
        XCTAssertEqual(report.outcome, .delivered(providerID: nil))
        assertNoSecret(report)
        let request = try XCTUnwrap(mattermost.requests.first)
        XCTAssertEqual(request.path, "/hooks/SUPERSECRETHOOK")
        let json = try XCTUnwrap(request.json)
        XCTAssertEqual(json["channel"] as? String, "ops-alerts")
        XCTAssertTrue((json["text"] as? String)?.contains("Test notification from notify") == true, request.body)
        let attachment = try XCTUnwrap((json["attachments"] as? [[String: Any]])?.first)
        XCTAssertEqual(attachment["color"] as? String, "#2389D7", "info")
        XCTAssertEqual((attachment["fields"] as? [[String: Any]])?.first?["title"] as? String, "Severity")
    }

    func testMattermostErrorsNameTheirIdAndADeletedHookIsPermanent() async throws {
        let mattermost = try await FakeHTTPServer(script: [
            .init(status: .badRequest, body: #"{"id":"web.incoming_webhook.invalid.app_error","message":"Invalid webhook.","status_code":400}"#),
            .init(status: .init(code: 501), body: #"{"id":"web.incoming_webhook.disabled.app_error","message":"Incoming webhooks have been disabled by the system admin.","status_code":501}"#),
            .init(status: .internalServerError, body: #"{"id":"api.post.create_webhook_post.creating.app_error","status_code":500}"#),
            .init(status: .tooManyRequests, body: "", headers: ["Retry-After": "3"]),
        ])
        let channel = MattermostChannel(name: "mm", url: Secret(mattermost.baseURL + "/hooks/SUPERSECRETHOOK"), client: client)
        let note = notification(body: #"{"text":"x"}"#)
        let deleted = await channel.deliver(note)
        XCTAssertEqual(deleted, .permanent(reason: "HTTP 400 Mattermost: web.incoming_webhook.invalid.app_error"))
        let disabled = await channel.deliver(note)
        XCTAssertEqual(disabled.label, "permanent", "501: webhooks are off on the server; retrying will not turn them on")
        let failing = await channel.deliver(note)
        XCTAssertEqual(failing.label, "retryable")
        let limited = await channel.deliver(note)
        await mattermost.stop()
        XCTAssertEqual(limited, .retryable(reason: "HTTP 429", retryAfter: .seconds(3)))
        for outcome in [deleted, disabled, failing, limited] { XCTAssertFalse("\(outcome)".contains("SUPERSECRET"), "\(outcome)") }
    }

    // MARK: Telegram

    func testTelegramSendsHTMLToThePersonsChatAndKeepsTheMessageID() async throws {
        let telegram = try await FakeHTTPServer(script: [.init(status: .ok, body: """
            {"ok":true,"result":{"message_id":42,"date":1767225600,"chat":{"id":123456789,"type":"private"},"text":"INFO"}}
            """)])
        let report = try await ExampleChannels.sendTest("telegram", to: "alice", server: telegram)
        await telegram.stop()
        XCTAssertEqual(report.outcome, .delivered(providerID: "123456789:42"))
        assertNoSecret(report)
        let request = try XCTUnwrap(telegram.requests.first)
        XCTAssertEqual(request.path, "/bot123456:SUPERSECRET-T/sendMessage")
        let json = try XCTUnwrap(request.json)
        XCTAssertEqual(json["chat_id"] as? String, "123456789", "alice's telegram: address")
        XCTAssertEqual(json["parse_mode"] as? String, "HTML")
        XCTAssertTrue((json["text"] as? String)?.contains("<b>") == true, request.body)
    }

    func testTelegramEscapesEventTextForHTML() async throws {
        let renderer = TemplateRenderer()
        var note = notification(body: nil)
        note.alert.summary = "disk <full> & \"loud\""
        let text = try renderer.render(note, channelName: "tg", selector: try XCTUnwrap(TelegramChannel(name: "tg", token: Secret("t"), destination: .person, client: client).template))
        XCTAssertTrue(text.contains("disk &lt;full&gt; &amp; &quot;loud&quot;"), text)
        XCTAssertFalse(text.contains("<full>"), text)
    }

    func testTelegramGroupChatAndTheBotAPIsErrors() async throws {
        let telegram = try await FakeHTTPServer(script: [
            .init(status: .tooManyRequests, body: #"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 5","parameters":{"retry_after":5}}"#),
            .init(status: .forbidden, body: #"{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}"#),
            .init(status: .badGateway, body: "<html>bad gateway</html>"),
            .init(status: .ok, body: #"{"ok":true,"result":{"message_id":7,"chat":{"id":-1001234567890,"type":"supergroup"}}}"#),
        ])
        let channel = TelegramChannel(name: "tg", token: Secret("123:SUPERSECRET"), destination: .chat("-1001234567890"), baseURL: telegram.baseURL, client: client)
        let note = notification(body: "<b>CRITICAL</b> db-1")
        let limited = await channel.deliver(note)
        XCTAssertEqual(limited, .retryable(reason: "HTTP 429 Too Many Requests: retry after 5", retryAfter: .seconds(5)))
        let blocked = await channel.deliver(note)
        XCTAssertEqual(blocked, .permanent(reason: "HTTP 403 Forbidden: bot was blocked by the user"))
        let failing = await channel.deliver(note)
        XCTAssertEqual(failing.label, "retryable")
        let sent = await channel.deliver(note)
        await telegram.stop()
        XCTAssertEqual(sent, .delivered(providerID: "-1001234567890:7"))
        XCTAssertEqual(telegram.requests.last?.json?["chat_id"] as? String, "-1001234567890")
        for outcome in [limited, blocked, failing, sent] { XCTAssertFalse("\(outcome)".contains("SUPERSECRET"), "\(outcome)") }
    }

    func testTelegramToAPersonWithoutAChatIsPermanentAndSendsNothing() async throws {
        let telegram = try await FakeHTTPServer()
        let channel = TelegramChannel(name: "tg", token: Secret("t"), destination: .person, baseURL: telegram.baseURL, client: client)
        let outcome = await channel.deliver(notification(body: "x", recipient: Contact(name: "bob")))
        await telegram.stop()
        XCTAssertEqual(outcome, .permanent(reason: "contact bob has no telegram address"))
        XCTAssertTrue(telegram.requests.isEmpty)
    }

    func testTelegramCutsALongMessageOnALine() {
        let long = (0..<400).map { "line \($0) <b>bold</b>" }.joined(separator: "\n")
        let fitted = TelegramChannel.fitted(long)
        XCTAssertLessThanOrEqual(fitted.count, TelegramChannel.maxTextLength)
        XCTAssertTrue(fitted.hasSuffix("</b>…"), String(fitted.suffix(20)))
    }

    func testARefusedConnectionIsRetryableAndSaysSoWithoutTheToken() async throws {
        let telegram = try await FakeHTTPServer()
        let port = telegram.port
        await telegram.stop()
        let channel = TelegramChannel(name: "tg", token: Secret("123:SUPERSECRET"), destination: .chat("1"), baseURL: "http://127.0.0.1:\(port)",
                                      client: client, timeout: .seconds(1))
        let outcome = await channel.deliver(notification(body: "x"))
        XCTAssertEqual(outcome.label, "retryable")
        XCTAssertFalse("\(outcome)".contains("SUPERSECRET"), "\(outcome)")
    }
}
