@testable import Alerting
@testable import AlertingConfig
@testable import AlertingServer
import Foundation
import XCTest

/// Telegram's Acknowledge and Resolve buttons, round trip: `sendMessage` carries an inline
/// keyboard of signed tokens; Telegram posts the press to `notify serve`'s webhook with the
/// secret token header; notify acts once, answers the callback query in its response, and edits
/// the message. A wrong secret header, a forged or a replayed token changes nothing.
final class TelegramButtonTests: NotifyTestCase {
    private let clock = ManualClock(now: Date(timeIntervalSince1970: 1_795_514_400))
    private let webhookSecret = "telegram-webhook-SECRET_1"

    private func start() async throws -> (ServerHarness, FakeHTTPServer) {
        let telegram = try await FakeHTTPServer(script: [.init(status: .ok, body: #"{"ok":true,"result":{"message_id":42,"chat":{"id":-100123,"type":"supergroup"}}}"#)])
        let harness = try await ServerHarness(config: """
            channels:
              tg: {type: telegram_chat, token: "123:BOT-TOKEN", chat: "-100123", base_url: "\(telegram.baseURL)"}
            contacts:
              ann: {telegram: "111"}
            routes:
              - notify: [tg]
            server:
              token: t0ken
              public_url: https://notify.example.com
              action_secret: 0123456789abcdef-action-secret
              telegram: {secret_token: \(webhookSecret)}
            """, clock: clock)
        return (harness, telegram)
    }

    private func openAlert(_ server: ServerHarness) async throws -> Int64 {
        let answer = try await server.post("/v1/events", body: #"{"kind":"failover","environment":"prod","source":"db-1","summary":"db-1 failed over"}"#,
                                           headers: ["Authorization": "Bearer t0ken"])
        try await server.notifier.runDue()
        return Int64(try XCTUnwrap((answer.json?["alerts"] as? [[String: Any]])?.first?["id"] as? Int))
    }

    private func keyboard(_ request: FakeHTTPServer.ReceivedRequest?) throws -> [[String: Any]] {
        let markup = try XCTUnwrap(request?.json?["reply_markup"] as? [String: Any])
        return try XCTUnwrap((markup["inline_keyboard"] as? [[[String: Any]]])?.first)
    }

    private func press(_ server: ServerHarness, data: String, secret: String? = nil, queryID: String = "4382bfdwdsb323b2d9") async throws -> ServerHarness.Answer {
        let update: [String: Any] = [
            "update_id": 123456789,
            "callback_query": [
                "id": queryID, "chat_instance": "-7000000000000000000",
                "from": ["id": 111, "is_bot": false, "first_name": "Ann", "username": "ann"],
                "message": ["message_id": 42, "date": 1767225600, "chat": ["id": -100123, "type": "supergroup"], "text": "CRITICAL"],
                "data": data,
            ] as [String: Any],
        ]
        let body = String(decoding: try JSONSerialization.data(withJSONObject: update), as: UTF8.self)
        return try await server.post("/telegram/webhook", body: body, headers: ["Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret ?? webhookSecret])
    }

    private func waitForEdit(_ telegram: FakeHTTPServer) async throws -> FakeHTTPServer.ReceivedRequest {
        for _ in 0..<200 {
            if let edit = telegram.requests.first(where: { $0.path.hasSuffix("/editMessageText") }) { return edit }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw MissingValue()
    }

    func testAcknowledgeFromTheButtonAnswersTheQueryAndEditsTheMessage() async throws {
        let (server, telegram) = try await start()
        defer { Task { await server.stop(); await telegram.stop() } }
        let id = try await openAlert(server)
        let buttons = try keyboard(telegram.requests.first)
        XCTAssertEqual(buttons.map { $0["text"] as? String }, ["Acknowledge", "Resolve"])
        let ack = try XCTUnwrap(buttons.first?["callback_data"] as? String)
        XCTAssertLessThanOrEqual(ack.utf8.count, 64, "Telegram's callback_data limit")

        let answer = try await press(server, data: ack)
        XCTAssertEqual(answer.status, 200)
        XCTAssertEqual(answer.json?["method"] as? String, "answerCallbackQuery")
        XCTAssertEqual(answer.json?["callback_query_id"] as? String, "4382bfdwdsb323b2d9")
        XCTAssertEqual(answer.json?["text"] as? String, "Alert #\(id) acknowledged by ann.", "ann is the contact whose telegram: is 111")
        let alert = try await server.notifier.store.alert(id: id)
        XCTAssertEqual(alert?.status, .acknowledged)

        let edit = try await waitForEdit(telegram)
        XCTAssertEqual(edit.path, "/bot123:BOT-TOKEN/editMessageText")
        XCTAssertEqual(edit.json?["chat_id"] as? String, "-100123")
        XCTAssertEqual(edit.json?["message_id"] as? Int, 42)
        XCTAssertEqual(try keyboard(edit).map { $0["text"] as? String }, ["Resolve"])
    }

    func testAWrongSecretHeaderAForgedOrAReplayedTokenChangesNothing() async throws {
        let (server, telegram) = try await start()
        defer { Task { await server.stop(); await telegram.stop() } }
        let id = try await openAlert(server)
        let buttons = try keyboard(telegram.requests.first)
        let resolve = try XCTUnwrap(buttons.last?["callback_data"] as? String)

        let stranger = try await press(server, data: resolve, secret: "guessed")
        XCTAssertEqual(stranger.status, 401)
        XCTAssertFalse(stranger.body.contains(webhookSecret))
        var parts = resolve.split(separator: ".").map(String.init)
        parts[1] = String(id + 1)
        let forged = try await press(server, data: parts.joined(separator: "."))
        XCTAssertEqual(forged.status, 200, "anything else and Telegram sends the update again")
        XCTAssertEqual(forged.json?["text"] as? String, "notify did not act: the token's signature is wrong.")
        var alert = try await server.notifier.store.alert(id: id)
        XCTAssertEqual(alert?.status, .triggered)

        let resolved = try await press(server, data: resolve)
        XCTAssertEqual(resolved.json?["text"] as? String, "Alert #\(id) resolved by ann.")
        let replayed = try await press(server, data: resolve, queryID: "another")
        XCTAssertEqual(replayed.json?["text"] as? String, "notify did not act: the token was already used.")
        alert = try await server.notifier.store.alert(id: id)
        XCTAssertEqual(alert?.status, .resolved)
        let log = try await server.notifier.store.log(alertID: id)
        XCTAssertEqual(log.filter { $0.actor == "ann" }.count, 1, "one resolve, not two")
    }
}
