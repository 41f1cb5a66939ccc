@testable import Alerting
@testable import AlertingConfig
@testable import AlertingServer
import Foundation
import XCTest

/// #20 §5: PagerDuty change events (`POST /v2/change/enqueue`, `notify change`) are recorded,
/// page nobody, and `notify show` lists the changes of the hour before an alert opened, in its
/// environment or in none.
final class ChangeEventTests: NotifyTestCase {
    let clock = ManualClock(now: Date(timeIntervalSince1970: 1_795_514_400))  // 2026-11-24 10:00:00Z
    let integrationKey = "0123456789abcdef0123456789abcdef"

    func testChangeEventsAreAcceptedAsPagerDutyDoesAndPageNobody() async throws {
        let slack = try await FakeHTTPServer()
        let server = try await ServerHarness(config: """
            channels:
              ops-slack: {type: slack, webhook_url: "\(slack.baseURL)/hooks/T1/B1/x"}
            routes:
              - notify: [ops-slack]
            server:
              token: t0ken
              integrations:
                grafana: {key: \(integrationKey), environment: prod-eu}
            """, clock: clock)
        defer { Task { await server.stop(); await slack.stop() } }
        // The body of PagerDuty's own example, with the integration's key.
        let change = """
            {"routing_key":"\(integrationKey)","payload":{"summary":"Build Success: Increase snapshot create timeout to 30 seconds","timestamp":"2026-11-24T09:40:00Z","source":"prod-build-agent-i-0b148d1040d565540","custom_details":{"build_state":"passed","build_number":"2","run_time":"1236s"}},"links":[{"href":"https://acme.pagerduty.dev/build/2","text":"View more details in Acme!"}]}
            """
        let answer = try await server.post("/v2/change/enqueue", body: change)
        XCTAssertEqual(answer.status, 202, answer.body)
        XCTAssertEqual(answer.json?["status"] as? String, "success")
        XCTAssertEqual(answer.json?["message"] as? String, "Change event processed")
        XCTAssertTrue(slack.requests.isEmpty, "a change pages nobody")

        let opened = try await server.post("/v1/events", body: #"{"kind":"failover","environment":"prod-eu","source":"db-1","summary":"db-1 failed over"}"#,
                                           headers: ["Authorization": "Bearer t0ken"])
        let id = Int64(try XCTUnwrap((opened.json?["alerts"] as? [[String: Any]])?.first?["id"] as? Int))
        let found = try await server.notifier.alert(id: id)
        let alert = try XCTUnwrap(found)
        let changes = try await server.notifier.changes(before: alert)
        XCTAssertEqual(changes.map(\.summary), ["Build Success: Increase snapshot create timeout to 30 seconds"])
        XCTAssertEqual(changes.first?.environment, "prod-eu", "the integration's environment")
        XCTAssertEqual(changes.first?.links.first?.href, "https://acme.pagerduty.dev/build/2")
        XCTAssertEqual(changes.first?.details["integration"], .string("grafana"))

        let unknownKey = try await server.post("/v2/change/enqueue", body: change.replacingOccurrences(of: integrationKey, with: "ffffffffffffffffffffffffffffffff"))
        XCTAssertEqual(unknownKey.status, 400)
        XCTAssertEqual(unknownKey.json?["status"] as? String, "invalid event")
        let noSummary = try await server.post("/v2/change/enqueue", body: #"{"routing_key":"\#(integrationKey)","payload":{"source":"ci"}}"#)
        XCTAssertEqual(noSummary.status, 400)
        XCTAssertTrue((noSummary.json?["errors"] as? [String])?.contains { $0.contains("payload.summary") } == true, noSummary.body)
        let garbage = try await server.post("/v2/change/enqueue", body: "{nope")
        XCTAssertEqual(garbage.status, 400)
    }

    func testOnlyChangesOfTheHourBeforeInTheAlertsEnvironmentOrNoneAreListed() {
        let opened = clock.now()
        var alert = AlertStateMachine.newAlert(id: 1, from: AlertEvent(kind: .failover, environment: "prod", source: "db-1", summary: "s"), at: opened)
        alert.lastSeen = opened + 600
        func change(_ minutes: Double, _ environment: String?) -> ChangeEvent {
            ChangeEvent(summary: "c", at: opened + minutes * 60, environment: environment)
        }
        XCTAssertTrue(change(-59, "prod").concerns(alert))
        XCTAssertTrue(change(-30, nil).concerns(alert), "a change naming no environment concerns every alert")
        XCTAssertTrue(change(5, "prod").concerns(alert), "while it is open")
        XCTAssertFalse(change(-61, "prod").concerns(alert), "more than an hour before")
        XCTAssertFalse(change(-10, "staging").concerns(alert), "another environment")
        XCTAssertFalse(change(11, "prod").concerns(alert), "after it was last seen")
    }

    func testNotifyChangeAndShow() async throws {
        let slack = try await FakeHTTPServer()
        defer { Task { await slack.stop() } }
        let config = try writeTemporaryConfig("""
            channels:
              ops: {type: slack, webhook_url: "\(slack.baseURL)/hooks/x"}
            routes: [{notify: [ops]}]
            """)
        let state = temporaryStatePath()
        let recorded = try await NotifyProcess.run(["change", "--config", config, "--state", state, "--summary", "api v1.4.2 deployed", "--source", "ci",
                                                    "--env", "prod", "--link", "https://ci.example.com/run/981=run 981"])
        XCTAssertEqual(recorded.status, 0, recorded.stderr)
        XCTAssertEqual(recorded.stdout, "change 1 recorded\n")
        _ = try await NotifyProcess.run(["change", "--config", config, "--state", state, "--summary", "staging db migrated", "--env", "staging"])
        let bad = try await NotifyProcess.run(["change", "--config", config, "--state", state, "--summary", "x", "--timestamp", "yesterday"])
        XCTAssertEqual(bad.status, 65, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("--timestamp"), bad.stderr)
        let blank = try await NotifyProcess.run(["change", "--config", config, "--state", state, "--summary", " "])
        XCTAssertEqual(blank.status, 65, blank.stderr)
        XCTAssertEqual(blank.stderr, "notify: --summary: missing (required for a change)\n")
        XCTAssertTrue(slack.requests.isEmpty, "a change pages nobody")

        let sent = try await NotifyProcess.run(["send", "--config", config, "--state", state, "--kind", "failover", "--env", "prod", "--source", "db-1",
                                                "--summary", "db-1 failed over", "--output", "json"])
        XCTAssertEqual(sent.status, 0, sent.stderr)
        let shown = try await NotifyProcess.run(["show", "1", "--config", config, "--state", state])
        XCTAssertTrue(shown.stdout.contains("changes in the hour before it opened:"), shown.stdout)
        XCTAssertTrue(shown.stdout.contains("before) api v1.4.2 deployed [ci, prod] https://ci.example.com/run/981"), shown.stdout)
        XCTAssertFalse(shown.stdout.contains("staging db migrated"), "another environment: \(shown.stdout)")
        let json = try await NotifyProcess.run(["show", "1", "--config", config, "--state", state, "--output", "json"])
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual((object["changes"] as? [[String: Any]])?.map { $0["summary"] as? String }, ["api v1.4.2 deployed"])
    }
}
