@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import AsyncHTTPClient
import Foundation
import Logging
import XCTest

/// What senders and the outside world hear while the state store does not answer.
final class StoreOutageTests: NotifyTestCase {
    let clock = ManualClock(now: Date(timeIntervalSince1970: 1_795_514_400))
    let bearer = ["Authorization": "Bearer t0ken"]

    func testEventEndpointsAnswer503WithRetryAfterWhileTheStoreFailsThenAcceptAgain() async throws {
        let store = FailingStore(MemoryAlertStore(), failures: 0)
        let slack = try await FakeHTTPServer()
        let harness = try await ServerHarness(config: """
            channels:
              ops-slack: {type: slack, webhook_url: "\(slack.baseURL)/hooks/T1/B1/x"}
            routes:
              - notify: [ops-slack]
            server: {token: t0ken}
            """, clock: clock, store: store)
        store.fail(next: 2)
        let event = #"{"kind":"failover","environment":"prod","source":"db-1","summary":"db-1 failed over"}"#
        let alertmanager = #"{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"DbDown"},"annotations":{},"fingerprint":"1a30ba71cca2921f"}]}"#
        for (path, body) in [("/v1/events", event), ("/v1/alertmanager", alertmanager)] {
            let answer = try await harness.post(path, body: body, headers: bearer)
            XCTAssertEqual(answer.status, 503, "\(path): \(answer.body)")
            XCTAssertEqual(answer.headers["retry-after"], "5", path)
        }
        let accepted = try await harness.post("/v1/events", body: event, headers: bearer)
        XCTAssertEqual(accepted.status, 202, "the store answers again: accepted")
        let alerts = try await store.alerts(statuses: [.triggered])
        XCTAssertEqual(alerts.count, 1, "only the accepted event was recorded")
        await harness.stop()
        await slack.stop()
    }

    func testTheDeadMansSwitchIsPingedOnlyWhileTheStoreAnswers() async throws {
        let outside = try await FakeHTTPServer(script: [.init(status: .ok, body: "OK")])
        var settings = DeadMansSwitchSettings(url: Secret("\(outside.baseURL)/ping/5f6c-secret"))
        settings.interval = .milliseconds(50)
        settings.method = "POST"
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let deadMansSwitch = DeadMansSwitch(settings: settings, client: client)
        let health = EngineHealth()
        let store = FailingStore(MemoryAlertStore(), failures: 0)
        let notifier = Notifier(store: store, channels: [], configuration: Configuration(routes: []))
        let pinging = Task { await deadMansSwitch.run(health: health, notifier: notifier) }
        let pinged = await eventually { outside.requests.count >= 2 }
        XCTAssertTrue(pinged, "healthy: pinged every interval")
        XCTAssertEqual(outside.requests.first?.path, "/ping/5f6c-secret")
        _ = health.failed("database is locked")
        try await Task.sleep(for: .milliseconds(100))
        let whileFailing = outside.requests.count
        try await Task.sleep(for: .milliseconds(300))
        XCTAssertEqual(outside.requests.count, whileFailing, "no ping while the loop cannot reach the store")
        _ = health.recovered()
        let resumed = await eventually { outside.requests.count > whileFailing }
        XCTAssertTrue(resumed, "pings resume by themselves")
        pinging.cancel()
        _ = await pinging.value
        try await client.shutdown()
        await outside.stop()
    }

    func testConfigTakesTheLeaseTheSwitchAndAPostgresStateWithoutShowingItsPassword() throws {
        let config = try ConfigLoader(environment: ["DB_PASSWORD": "pa55word", "PING": "https://hc-ping.com/5f6c"]).parse("""
            channels:
              out: {type: console}
            routes:
              - notify: [out]
            state: postgres://notify:${DB_PASSWORD}@db.internal:5432/notify?sslmode=require
            delivery: {lease: 12s}
            dead_man_switch: {url: "${PING}", every: 2m}
            """)
        XCTAssertEqual(config.delivery.leaseDuration, .seconds(12))
        XCTAssertEqual(config.deadManSwitch?.interval, .seconds(120))
        XCTAssertEqual(config.deadManSwitch?.url.exposedValue, "https://hc-ping.com/5f6c")
        let summary = ConfigSummary(config: config).text
        XCTAssertTrue(summary.contains("postgres://notify:***@db.internal:5432/notify"), summary)
        XCTAssertFalse(summary.contains("pa55word"))
        XCTAssertFalse("\(config)".contains("hc-ping.com/5f6c"), "the switch's URL is a secret")
        XCTAssertThrowsError(try ConfigLoader().parse("channels: {out: {type: console}}\nroutes: [{notify: [out]}]\ndelivery: {lease: 500ms}"))
    }
}
