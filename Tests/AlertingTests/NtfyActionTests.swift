@testable import Alerting
@testable import AlertingConfig
@testable import AlertingServer
import Foundation
import XCTest

/// ntfy's Acknowledge button, round trip: the published message has an `http` action whose URL
/// holds a signed token; the subscriber's app posts it to `notify serve`, which acknowledges once
/// and lets the web app's `fetch` read the answer.
final class NtfyActionTests: NotifyTestCase {
    private let clock = ManualClock(now: Date(timeIntervalSince1970: 1_795_514_400))

    func testTheButtonAcknowledgesOnceAndAForgedOneIsRefused() async throws {
        let ntfy = try await FakeHTTPServer(script: [.init(status: .ok, body: #"{"id":"sPs71M8A2T"}"#)])
        let server = try await ServerHarness(config: """
            channels:
              phone: {type: ntfy, base_url: "\(ntfy.baseURL)"}
            contacts:
              alice: {ntfy: alice-pages}
            routes:
              - notify: [{channel: phone, to: [alice]}]
            server:
              token: t0ken
              public_url: https://notify.example.com/
              action_secret: 0123456789abcdef-action-secret
            """, clock: clock)
        defer { Task { await server.stop(); await ntfy.stop() } }
        let opened = try await server.post("/v1/events", body: #"{"kind":"failover","environment":"prod","source":"db-1","summary":"db failed over"}"#,
                                           headers: ["Authorization": "Bearer t0ken"])
        try await server.notifier.runDue()
        let id = Int64(try XCTUnwrap((opened.json?["alerts"] as? [[String: Any]])?.first?["id"] as? Int))
        let action = try XCTUnwrap((ntfy.requests.first?.json?["actions"] as? [[String: Any]])?.first)
        XCTAssertEqual(action["action"] as? String, "http")
        XCTAssertEqual(action["method"] as? String, "POST")
        XCTAssertEqual(action["clear"] as? Bool, true)
        let url = try XCTUnwrap(action["url"] as? String)
        XCTAssertTrue(url.hasPrefix("https://notify.example.com/ntfy/action/1.\(id).a."), url)
        let path = String(url.dropFirst("https://notify.example.com".count))

        let preflight = try await server.send(method: .OPTIONS, path: path)
        XCTAssertEqual(preflight.headers["access-control-allow-origin"], "*")
        let tapped = try await server.post(path, body: "")
        XCTAssertEqual(tapped.status, 200, tapped.body)
        XCTAssertEqual(tapped.headers["access-control-allow-origin"], "*", "the web app's fetch must be able to read it")
        let alert = try await server.notifier.store.alert(id: id)
        XCTAssertEqual(alert?.status, .acknowledged)
        let again = try await server.post(path, body: "")
        XCTAssertEqual(again.status, 200)
        XCTAssertTrue(again.body.contains("already used"), again.body)
        let forged = try await server.post(path.replacingOccurrences(of: "/1.\(id).a.", with: "/1.\(id + 1).a."), body: "")
        XCTAssertEqual(forged.status, 403)
    }
}
