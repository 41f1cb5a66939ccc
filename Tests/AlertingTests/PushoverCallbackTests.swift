@testable import Alerting
@testable import AlertingConfig
@testable import AlertingServer
import Foundation
import XCTest

/// Pushover's emergency pages, round trip: the page names a callback URL holding a signed
/// token; Pushover posts there when the person acknowledges in the app, and notify acknowledges
/// the alert once. An acknowledgement anywhere cancels the page's repeats (`cancel_by_tag`).
final class PushoverCallbackTests: NotifyTestCase {
    private let clock = ManualClock(now: Date(timeIntervalSince1970: 1_795_514_400))

    private func start() async throws -> (ServerHarness, FakeHTTPServer) {
        let pushover = try await FakeHTTPServer(script: [.init(status: .ok, body: #"{"status":1,"request":"r1","receipt":"rLqVuqTRh62UzxtmqiaLzQmVcPgiCy"}"#)])
        let harness = try await ServerHarness(config: """
            channels:
              push: {type: pushover, token: APPTOKEN, base_url: "\(pushover.baseURL)"}
            contacts:
              alice: {pushover: uALICEKEY}
            routes:
              - notify: [{channel: push, to: [alice]}]
            server:
              token: t0ken
              public_url: https://notify.example.com
              action_secret: 0123456789abcdef-action-secret
            """, clock: clock)
        return (harness, pushover)
    }

    private func openAlert(_ server: ServerHarness, source: String = "db-1") async throws -> Int64 {
        let answer = try await server.post("/v1/events", body: #"{"kind":"failover","environment":"prod","source":"\#(source)","summary":"db failed over"}"#,
                                           headers: ["Authorization": "Bearer t0ken"])
        try await server.notifier.runDue()
        return Int64(try XCTUnwrap((answer.json?["alerts"] as? [[String: Any]])?.first?["id"] as? Int))
    }

    private func callback(_ server: ServerHarness, path: String, by user: String = "uALICEKEY") async throws -> ServerHarness.Answer {
        try await server.post(path, body: "receipt=rLqVuqTRh62UzxtmqiaLzQmVcPgiCy&acknowledged=1&acknowledged_at=1795514460&acknowledged_by=\(user)&acknowledged_by_device=iphone",
                              headers: ["Content-Type": "application/x-www-form-urlencoded"])
    }

    func testAnAcknowledgementInTheAppAcknowledgesTheAlertOnceAndCancelsTheRepeats() async throws {
        let (server, pushover) = try await start()
        defer { Task { await server.stop(); await pushover.stop() } }
        let id = try await openAlert(server)
        let form = try XCTUnwrap(pushover.requests.first).form
        XCTAssertEqual(form["priority"], "2")
        let url = try XCTUnwrap(form["callback"])
        XCTAssertTrue(url.hasPrefix("https://notify.example.com/pushover/callback/1.\(id).a."), url)
        let path = String(url.dropFirst("https://notify.example.com".count))

        let answer = try await callback(server, path: path)
        XCTAssertEqual(answer.status, 200, answer.body)
        let alert = try await server.notifier.store.alert(id: id)
        XCTAssertEqual(alert?.status, .acknowledged)
        let log = try await server.notifier.store.log(alertID: id)
        XCTAssertEqual(log.last?.actor, "alice", "the contact whose pushover: key acknowledged")
        await server.notifier.finishPendingWork()
        let cancel = try XCTUnwrap(pushover.requests.last)
        XCTAssertEqual(cancel.path, "/1/receipts/cancel_by_tag/notify-alert-\(id).json")
        XCTAssertEqual(cancel.form["token"], "APPTOKEN")

        // Pushover tries again: a 200 that changes nothing. A forged token: 403.
        let again = try await callback(server, path: path)
        XCTAssertEqual(again.status, 200)
        XCTAssertTrue(again.body.contains("already used"), again.body)
        let forged = try await callback(server, path: path.replacingOccurrences(of: "1.\(id).a.", with: "1.\(id).r."))
        XCTAssertEqual(forged.status, 403)
        let after = try await server.notifier.store.log(alertID: id)
        XCTAssertEqual(after.count, log.count, "nothing more recorded")
    }

    func testAnAcknowledgementElsewhereCancelsTheRepeatsToo() async throws {
        let (server, pushover) = try await start()
        defer { Task { await server.stop(); await pushover.stop() } }
        let id = try await openAlert(server)
        _ = try await server.notifier.act(.acknowledge, alertID: id, actor: "bob", note: "from the CLI")
        await server.notifier.finishPendingWork()
        XCTAssertEqual(pushover.requests.map(\.path), ["/1/messages.json", "/1/receipts/cancel_by_tag/notify-alert-\(id).json"])
    }
}
