@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import Foundation
import XCTest

/// `notify serve` through real HTTP: each inbound format, authentication, health and metrics.
final class ServerTests: NotifyTestCase {
    let clock = ManualClock(now: Date(timeIntervalSince1970: 1_795_514_400))  // 2026-11-24 10:00:00Z
    let integrationKey = "0123456789abcdef0123456789abcdef"

    private func start(extra: String = "") async throws -> (ServerHarness, FakeHTTPServer) {
        let slack = try await FakeHTTPServer()
        let harness = try await ServerHarness(config: """
            channels:
              ops-slack: {type: slack, webhook_url: "\(slack.baseURL)/hooks/T1/B1/x"}
            routes:
              - notify: [ops-slack]
                notify_on_resolve: true
            server:
              token: the-server-token
              max_body_bytes: 4096
              integrations:
                grafana: {key: \(integrationKey), environment: prod-eu}
            \(extra)
            """, clock: clock)
        return (harness, slack)
    }

    let bearer = ["Authorization": "Bearer the-server-token"]

    func testEventsNeedTheTokenOrAnIntegrationKey() async throws {
        let (server, slack) = try await start()
        defer { Task { await server.stop(); await slack.stop() } }
        let event = #"{"kind":"failover","environment":"prod","source":"db-1","summary":"db-1 failed over"}"#
        let none = try await server.post("/v1/events", body: event)
        XCTAssertEqual(none.status, 401)
        XCTAssertEqual(none.headers["www-authenticate"], "Bearer")
        let wrong = try await server.post("/v1/events", body: event, headers: ["Authorization": "Bearer nope"])
        XCTAssertEqual(wrong.status, 401)
        XCTAssertFalse(wrong.body.contains("the-server-token"))
        let open = try await server.notifier.store.alerts(statuses: [.triggered])
        XCTAssertEqual(open.count, 0, "nothing recorded from a refused request")

        for header in ["Basic the-server-token", "Bearerthe-server-token", "Bearer the-server-token-and-more", "the-server-token"] {
            let refused = try await server.post("/v1/events", body: event, headers: ["Authorization": header])
            XCTAssertEqual(refused.status, 401, header)
        }
        let ok = try await server.post("/v1/events", body: event, headers: bearer)
        XCTAssertEqual(ok.status, 202, ok.body)
        let alerts = try XCTUnwrap(ok.json?["alerts"] as? [[String: Any]])
        XCTAssertEqual(alerts.first?["id"] as? Int, 1)
        XCTAssertEqual(alerts.first?["change"] as? String, "opened")

        // An integration's key works as a bearer token, and brings its environment.
        let viaIntegration = try await server.post("/v1/events", body: #"{"kind":"health_check_failure","source":"web-1","summary":"web-1 down"}"#,
                                                   headers: ["Authorization": "Bearer \(integrationKey)"])
        XCTAssertEqual(viaIntegration.status, 202)
        let alert = try await server.notifier.store.alert(id: 2)
        XCTAssertEqual(alert?.environment, "prod-eu")
        XCTAssertEqual(alert?.details["integration"], .string("grafana"))

        // The scheduler pages: here the test runs it.
        try await server.notifier.runDue()
        XCTAssertEqual(slack.requests.count, 2)

        // The scheme in any case, blanks around the token (another source: a new alert each).
        for (n, header) in ["bearer the-server-token", "BEARER  the-server-token\t"].enumerated() {
            let other = #"{"kind":"failover","environment":"prod","source":"db-9\#(n)","summary":"db-9 failed over"}"#
            let accepted = try await server.post("/v1/events", body: other, headers: ["Authorization": header])
            XCTAssertEqual(accepted.status, 202, header)
        }
    }

    func testNDJSONWithABadLineRecordsTheGoodOnesAndNamesTheBadOne() async throws {
        let (server, slack) = try await start()
        defer { Task { await server.stop(); await slack.stop() } }
        let body = """
            {"kind":"failover","environment":"prod","source":"db-1","summary":"one"}
            {"kind":"failover","severity":"loud","source":"db-2","summary":"two"}

            {"kind":"failover","environment":"prod","source":"db-3","summary":"three"}
            """
        let answer = try await server.post("/v1/events", body: body, headers: bearer)
        XCTAssertEqual(answer.status, 400)
        let errors = try XCTUnwrap(answer.json?["errors"] as? [[String: Any]])
        XCTAssertEqual(errors.count, 1)
        XCTAssertEqual(errors[0]["line"] as? Int, 2)
        let problems = try XCTUnwrap(errors[0]["problems"] as? [[String: Any]])
        XCTAssertEqual(problems.first?["field"] as? String, "severity")
        let accepted = try XCTUnwrap(answer.json?["alerts"] as? [[String: Any]])
        XCTAssertEqual(accepted.map { $0["line"] as? Int }, [1, 4])
        let open = try await server.notifier.store.alerts(statuses: [.triggered])
        XCTAssertEqual(open.count, 2)
    }

    func testBadBodiesAnd413() async throws {
        let (server, slack) = try await start()
        defer { Task { await server.stop(); await slack.stop() } }
        let empty = try await server.post("/v1/events", body: "", headers: bearer)
        XCTAssertEqual(empty.status, 400)
        let notJSON = try await server.post("/v1/events", body: "hello", headers: bearer)
        XCTAssertEqual(notJSON.status, 400)
        XCTAssertTrue(notJSON.body.contains("not valid JSON"), notJSON.body)
        let huge = #"{"kind":"failover","summary":""# + String(repeating: "x", count: 5000) + #""}"#
        let tooLarge = try await server.post("/v1/events", body: huge, headers: bearer)
        XCTAssertEqual(tooLarge.status, 413)
    }

    func testAlertmanagerFiringThenResolved() async throws {
        let (server, slack) = try await start()
        defer { Task { await server.stop(); await slack.stop() } }
        let firing = Self.alertmanagerBody(status: "firing")
        let answer = try await server.post("/v1/alertmanager", body: firing, headers: bearer)
        XCTAssertEqual(answer.status, 202, answer.body)
        let alert = try await XCTUnwrapAsync(await server.notifier.store.openAlert(dedupKey: "alertmanager/1a30ba71cca2921f"))
        XCTAssertEqual(alert.kind.rawValue, "database_failover")
        XCTAssertEqual(alert.severity, .critical)
        XCTAssertEqual(alert.environment, "prod")
        XCTAssertEqual(alert.source, "db1:9100")
        XCTAssertEqual(alert.summary, "Primary db1 failed over to db2")
        try await server.notifier.runDue()
        XCTAssertEqual(slack.requests.count, 1)

        // Alertmanager repeats the group: same alert, no new page.
        _ = try await server.post("/v1/alertmanager", body: firing, headers: bearer)
        try await server.notifier.runDue()
        XCTAssertEqual(slack.requests.count, 1)

        let resolved = try await server.post("/v1/alertmanager", body: Self.alertmanagerBody(status: "resolved"), headers: bearer)
        XCTAssertEqual(resolved.status, 202)
        let after = try await server.notifier.store.alert(id: alert.id)
        XCTAssertEqual(after?.status, .resolved)
        try await server.notifier.runDue()
        XCTAssertEqual(slack.requests.count, 2, "notify_on_resolve tells Slack")

        let wrongVersion = try await server.post("/v1/alertmanager", body: #"{"version":"3","alerts":[]}"#, headers: bearer)
        XCTAssertEqual(wrongVersion.status, 400)
        let noFingerprint = try await server.post("/v1/alertmanager", body: #"{"version":"4","alerts":[{"status":"firing","labels":{}}]}"#, headers: bearer)
        XCTAssertEqual(noFingerprint.status, 400)
        XCTAssertTrue(noFingerprint.body.contains("alerts[0].fingerprint"), noFingerprint.body)
        let unauthorized = try await server.post("/v1/alertmanager", body: firing)
        XCTAssertEqual(unauthorized.status, 401)
    }

    static func alertmanagerBody(status: String) -> String {
        """
        {"receiver":"notify","status":"\(status)","alerts":[{"status":"\(status)",
         "labels":{"alertname":"DatabaseFailover","severity":"page","env":"prod","instance":"db1:9100"},
         "annotations":{"summary":"Primary db1 failed over to db2","runbook_url":"https://runbooks.example.com/db"},
         "startsAt":"2026-11-24T09:59:00.123456789Z","endsAt":"0001-01-01T00:00:00Z",
         "generatorURL":"http://prometheus:9090/graph?g0.expr=up","fingerprint":"1a30ba71cca2921f"}],
         "groupLabels":{"alertname":"DatabaseFailover"},"commonLabels":{},"commonAnnotations":{},
         "externalURL":"http://alertmanager:9093","version":"4","groupKey":"{}:{alertname=\\"DatabaseFailover\\"}","truncatedAlerts":0}
        """
    }

    func testPagerDutyEnqueue() async throws {
        let (server, slack) = try await start()
        defer { Task { await server.stop(); await slack.stop() } }
        let trigger = #"{"routing_key":"\#(integrationKey)","event_action":"trigger","dedup_key":"srv01/HTTP","payload":{"summary":"srv01 HTTP down","source":"srv01","severity":"critical"}}"#
        let answer = try await server.post("/v2/enqueue", body: trigger)
        XCTAssertEqual(answer.status, 202, answer.body)
        XCTAssertEqual(answer.json?["status"] as? String, "success")
        XCTAssertEqual(answer.json?["message"] as? String, "Event processed")
        XCTAssertEqual(answer.json?["dedup_key"] as? String, "srv01/HTTP")
        let acknowledge = try await server.post("/v2/enqueue", body: #"{"routing_key":"\#(integrationKey)","event_action":"acknowledge","dedup_key":"srv01/HTTP"}"#)
        XCTAssertEqual(acknowledge.status, 202)
        let alert = try await server.notifier.store.alert(id: 1)
        XCTAssertEqual(alert?.status, .acknowledged)

        let unknownKey = try await server.post("/v2/enqueue", body: trigger.replacingOccurrences(of: integrationKey, with: "ffffffffffffffffffffffffffffffff"))
        XCTAssertEqual(unknownKey.status, 400)
        XCTAssertEqual(unknownKey.json?["status"] as? String, "invalid event")
        let noKey = try await server.post("/v2/enqueue", body: #"{"event_action":"trigger","payload":{"summary":"x","source":"y","severity":"info"}}"#)
        XCTAssertEqual(noKey.status, 400)
        let invalid = try await server.post("/v2/enqueue", body: #"{"routing_key":"\#(integrationKey)","event_action":"trigger","payload":{"source":"srv01","severity":"fatal"}}"#)
        XCTAssertEqual(invalid.status, 400)
        let errors = try XCTUnwrap(invalid.json?["errors"] as? [String])
        XCTAssertTrue(errors.contains { $0.contains("payload.severity") }, "\(errors)")
        XCTAssertTrue(errors.contains { $0.contains("payload.summary") }, "\(errors)")
        let garbage = try await server.post("/v2/enqueue", body: "{nope")
        XCTAssertEqual(garbage.status, 400)
        XCTAssertEqual(garbage.json?["errors"] as? [String], ["JSON parse error"])
    }

    func testHealthAndMetrics() async throws {
        let (server, slack) = try await start()
        defer { Task { await server.stop(); await slack.stop() } }
        let health = try await server.get("/healthz")
        XCTAssertEqual(health.status, 200)
        XCTAssertEqual(health.json?["status"] as? String, "ok")
        _ = try await server.post("/v1/events", body: #"{"kind":"failover","environment":"prod","source":"db-1","summary":"x"}"#, headers: bearer)
        try await server.notifier.runDue()
        let metrics = try await server.get("/metrics")
        XCTAssertEqual(metrics.status, 200)
        XCTAssertTrue(metrics.headers["content-type"]?.hasPrefix("text/plain") ?? false)
        for line in [#"notify_events_received_total{kind="failover",action="trigger"} 1"#,
                     #"notify_notifications_total{channel="ops-slack",outcome="delivered",category="none"} 1"#,
                     #"notify_alerts{status="triggered"} 1"#,
                     "notify_delivery_latency_seconds_count", "notify_escalation_lag_seconds_count"] {
            XCTAssertTrue(metrics.body.contains(line), "missing \(line) in\n\(metrics.body)")
        }
        XCTAssertFalse(metrics.body.contains("hooks/T1"), "no secret in metrics")
    }

    func testAuthNoneOnlyOnLoopback() throws {
        let base = "channels: {c: {type: console}}\nroutes: [{notify: [c]}]\n"
        XCTAssertNoThrow(try ConfigLoader(environment: [:]).parse(base + "server: {listen: 127.0.0.1:8080, auth: none}"))
        XCTAssertThrowsError(try ConfigLoader(environment: [:]).parse(base + "server: {listen: 0.0.0.0:8080, auth: none}")) { error in
            XCTAssertTrue("\(error)".contains("loopback"), "\(error)")
        }
        XCTAssertThrowsError(try ConfigLoader(environment: [:]).parse(base + "server: {listen: 0.0.0.0:8080}")) { error in
            XCTAssertTrue("\(error)".contains("token"), "\(error)")
        }
        XCTAssertEqual(ServerConfig.parseListen(":9000")?.port, 9000)
        XCTAssertEqual(ServerConfig.parseListen("[::1]:9000")?.host, "::1")
        XCTAssertNil(ServerConfig.parseListen("host:99999"))
    }
}

func XCTUnwrapAsync<T>(_ value: T?, file: StaticString = #filePath, line: UInt = #line) async throws -> T {
    try XCTUnwrap(value, file: file, line: line)
}

extension ServerTests {
    func testAnInvalidAlertDoesNotCostTheValidOnesOfItsGroup() async throws {
        let (server, slack) = try await start()
        defer { Task { await server.stop(); await slack.stop() } }
        let valid = Self.alertmanagerBody(status: "firing")
        // The same group with a second alert that has no fingerprint.
        let mixed = valid.replacingOccurrences(of: #""fingerprint":"1a30ba71cca2921f"}],"#,
                                               with: #""fingerprint":"1a30ba71cca2921f"},{"status":"firing","labels":{"alertname":"Broken"}}],"#)
        XCTAssertNotEqual(mixed, valid, "the test must add the broken alert")
        let answer = try await server.post("/v1/alertmanager", body: mixed, headers: bearer)
        XCTAssertEqual(answer.status, 200, "2xx: Alertmanager neither drops the group nor resends it forever. \(answer.body)")
        XCTAssertEqual(answer.json?["status"] as? String, "partial")
        XCTAssertTrue(answer.body.contains("alerts[1].fingerprint"), answer.body)
        let recorded = try await server.notifier.store.openAlert(dedupKey: "alertmanager/1a30ba71cca2921f")
        XCTAssertNotNil(recorded, "the valid alert was recorded")
        let metrics = try await server.get("/metrics")
        XCTAssertTrue(metrics.body.contains(#"notify_events_invalid_total{endpoint="alertmanager"} 1"#), metrics.body)
    }
}

/// Alertmanager's alert names become the kind a person would write (issue 12).
final class AlertmanagerKindNameTests: NotifyTestCase {
    func testAcronymsAndProductNamesStayWhole() {
        let expected = [
            "HTTPServerDown": "http_server_down", "MySQLPrimaryDown": "mysql_primary_down", "APIHighLatency": "api_high_latency",
            "HighLatency": "high_latency", "DB Failover!": "db_failover", "PostgreSQLReplicationLag": "postgresql_replication_lag",
            "KubePodCrashLooping": "kube_pod_crash_looping", "Node5xxErrors": "node5xx_errors", "TargetDown": "target_down",
            "HAProxyBackendDown": "haproxy_backend_down", "S3BucketErrors": "s3_bucket_errors",
        ]
        for (name, kind) in expected { XCTAssertEqual(AlertmanagerPayload.kindName(name), kind, name) }
    }
}
