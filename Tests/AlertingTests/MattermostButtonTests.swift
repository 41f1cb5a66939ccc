@testable import Alerting
@testable import AlertingConfig
@testable import AlertingServer
import Foundation
import XCTest

/// Mattermost's Acknowledge and Resolve buttons, round trip: the message notify posts carries
/// signed tokens; Mattermost's server posts one back to `notify serve` (as it does, unsigned);
/// notify acts once, answers 200 with the message as it now stands, and refuses a forged,
/// expired or replayed token without changing anything.
final class MattermostButtonTests: NotifyTestCase {
    private let clock = ManualClock(now: Date(timeIntervalSince1970: 1_795_514_400))
    private let bearer = ["Authorization": "Bearer t0ken"]

    private func start() async throws -> (ServerHarness, FakeHTTPServer) {
        let mattermost = try await FakeHTTPServer(script: [.init(status: .ok, body: "ok")])
        let harness = try await ServerHarness(config: """
            channels:
              mm: {type: mattermost, url: "\(mattermost.baseURL)/hooks/abc"}
            policies:
              ops:
                ack_timeout: 30m
                steps: [{after: 0s, notify: [mm]}]
            routes:
              - policy: ops
            server:
              token: t0ken
              public_url: https://notify.example.com
              action_secret: 0123456789abcdef-action-secret
            """, clock: clock)
        return (harness, mattermost)
    }

    private func openAlert(_ server: ServerHarness) async throws -> Int64 {
        let answer = try await server.post("/v1/events", body: #"{"kind":"failover","environment":"prod","source":"db-1","summary":"db-1 failed over"}"#, headers: bearer)
        XCTAssertEqual(answer.status, 202, answer.body)
        try await server.notifier.runDue()
        return Int64(try XCTUnwrap((answer.json?["alerts"] as? [[String: Any]])?.first?["id"] as? Int))
    }

    private func buttons(_ request: FakeHTTPServer.ReceivedRequest?) throws -> [[String: Any]] {
        let attachments = try XCTUnwrap(request?.json?["attachments"] as? [[String: Any]])
        return try XCTUnwrap(attachments.last?["actions"] as? [[String: Any]])
    }

    private func press(_ server: ServerHarness, token: String, user: String = "alice") async throws -> [String: Any] {
        let body = try JSONSerialization.data(withJSONObject: [
            "user_id": "rd49ehbqyjytddasoownkuqrxe", "user_name": user, "channel_id": "j6j53p28k6urx15fpcgsr20psq", "post_id": "gqrnh3675jfxzftnjyjfe4udeh",
            "type": "button", "context": ["token": token],
        ])
        let answer = try await server.post("/mattermost/action", body: String(decoding: body, as: UTF8.self), headers: ["Content-Type": "application/json"])
        XCTAssertEqual(answer.status, 200, "Mattermost shows anything but 200 as an error: \(answer.body)")
        return try XCTUnwrap(answer.json)
    }

    func testAcknowledgeFromTheButtonAndTheMessageIsUpdated() async throws {
        let (server, mattermost) = try await start()
        defer { Task { await server.stop(); await mattermost.stop() } }
        let id = try await openAlert(server)
        let actions = try buttons(mattermost.requests.first)
        XCTAssertEqual(actions.map { $0["name"] as? String }, ["Acknowledge", "Resolve"])
        let integration = try XCTUnwrap(actions.first?["integration"] as? [String: Any])
        XCTAssertEqual(integration["url"] as? String, "https://notify.example.com/mattermost/action")
        let ack = try XCTUnwrap((integration["context"] as? [String: Any])?["token"] as? String)

        let answer = try await press(server, token: ack)
        XCTAssertEqual(answer["ephemeral_text"] as? String, "Alert #\(id) acknowledged by @alice.")
        let update = try XCTUnwrap(answer["update"] as? [String: Any])
        let updatedActions = try XCTUnwrap(((update["props"] as? [String: Any])?["attachments"] as? [[String: Any]])?.last?["actions"] as? [[String: Any]])
        XCTAssertEqual(updatedActions.map { $0["name"] as? String }, ["Resolve"], "acknowledged: only Resolve is left")
        let alert = try await server.notifier.store.alert(id: id)
        XCTAssertEqual(alert?.status, .acknowledged)
        let log = try await server.notifier.store.log(alertID: id)
        XCTAssertEqual(log.last?.actor, "alice")
        XCTAssertTrue(log.last?.note?.hasPrefix("by Mattermost, token ") == true, log.last?.note ?? "")
    }

    func testAReplayedForgedOrExpiredTokenChangesNothing() async throws {
        let (server, mattermost) = try await start()
        defer { Task { await server.stop(); await mattermost.stop() } }
        let id = try await openAlert(server)
        let ack = try XCTUnwrap(((try buttons(mattermost.requests.first).first?["integration"] as? [String: Any])?["context"] as? [String: Any])?["token"] as? String)
        _ = try await press(server, token: ack)
        // The acknowledgement times out: the alert is triggered again, and pages again.
        clock.advance(by: .seconds(31 * 60))
        try await server.notifier.runDue()
        var alert = try await server.notifier.store.alert(id: id)
        XCTAssertEqual(alert?.status, .triggered)

        let replayed = try await press(server, token: ack)
        XCTAssertEqual(replayed["ephemeral_text"] as? String, "notify did not act: the token was already used.")
        XCTAssertNil(replayed["update"])
        var parts = ack.split(separator: ".").map(String.init)
        parts[4] = "AAAAAAAAAAA"   // a fresh nonce, without the key to sign it
        let forged = try await press(server, token: parts.joined(separator: "."))
        XCTAssertEqual(forged["ephemeral_text"] as? String, "notify did not act: the token's signature is wrong.")
        let junk = try await press(server, token: "let me in")
        XCTAssertEqual(junk["ephemeral_text"] as? String, "notify did not act: not a notify action token.")
        alert = try await server.notifier.store.alert(id: id)
        XCTAssertEqual(alert?.status, .triggered, "nothing changed")

        // The second page's button works; a week later none does.
        let second = try XCTUnwrap(((try buttons(mattermost.requests.last).first?["integration"] as? [String: Any])?["context"] as? [String: Any])?["token"] as? String)
        clock.advance(by: .seconds(8 * 24 * 3600))
        let expired = try await press(server, token: second)
        XCTAssertEqual(expired["ephemeral_text"] as? String, "notify did not act: the token has expired.")
        alert = try await server.notifier.store.alert(id: id)
        XCTAssertEqual(alert?.status, .triggered)
    }

    func testWithoutAnActionSecretThereAreNoButtons() async throws {
        let mattermost = try await FakeHTTPServer(script: [.init(status: .ok, body: "ok")])
        let server = try await ServerHarness(config: """
            channels:
              mm: {type: mattermost, url: "\(mattermost.baseURL)/hooks/abc"}
            routes: [{notify: [mm]}]
            server: {token: t0ken, public_url: https://notify.example.com}
            """, clock: clock)
        defer { Task { await server.stop(); await mattermost.stop() } }
        _ = try await openAlert(server)
        let attachments = try XCTUnwrap(mattermost.requests.first?.json?["attachments"] as? [[String: Any]])
        XCTAssertNil(attachments.last?["actions"])
    }
}
