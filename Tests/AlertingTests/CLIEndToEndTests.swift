import Foundation
import XCTest

/// The real `notify` binary against a real HTTP server on 127.0.0.1 playing Slack.
final class CLIEndToEndTests: NotifyTestCase {
    let secretPath = "/services/T000/B000/SUPERSECRETTOKEN"

    private func slackConfig(_ server: FakeHTTPServer, delivery: String = "{timeout: 2s, max_attempts: 3, initial_backoff: 10ms, max_retry_after: 5s}") throws -> String {
        try writeTemporaryConfig("""
            delivery: \(delivery)
            channels:
              ops-slack: {type: slack, webhook_url: "${SLACK_URL}"}
            routes: [{notify: [ops-slack]}]
            """)
    }

    private func notify(_ arguments: [String], server: FakeHTTPServer, stdin: String = "") async throws -> NotifyProcess.Result {
        // Trace logging, so the check below covers every log line there is.
        let result = try await NotifyProcess.run(arguments + ["--log-level", "trace"], stdin: Data(stdin.utf8), environment: ["SLACK_URL": server.baseURL + secretPath])
        XCTAssertFalse(result.stdout.contains("SUPERSECRETTOKEN"), "secret on stdout: \(result.stdout)")
        XCTAssertFalse(result.stderr.contains("SUPERSECRETTOKEN"), "secret on stderr: \(result.stderr)")
        return result
    }

    private let failoverFlags = ["send", "--kind", "failover", "--env", "prod-us-east", "--source", "db-primary-1",
                                 "--summary", "Primary failed health checks; promoted db-secondary-2",
                                 "--detail", "from=db-primary-1", "--detail", "to=db-secondary-2"]

    func testSendDeliversToSlackAndPrintsTheAlertID() async throws {
        let server = try await FakeHTTPServer()
        let config = try slackConfig(server)
        let result = try await notify(failoverFlags + ["--config", config], server: server)
        await server.stop()
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "1\n")
        XCTAssertEqual(server.requests.count, 1)
        let body = try XCTUnwrap(server.requests.first?.json)
        XCTAssertTrue(try XCTUnwrap(body["text"] as? String).contains("Failover in prod-us-east"))
        XCTAssertTrue(server.requests[0].body.contains("db-secondary-2"))
    }

    /// A route with a console channel beside: standard output stays one JSON document (the
    /// console page goes to standard error, as with `watch --summary json`).
    func testSendJSONOutputStaysJSONWithAConsoleChannel() async throws {
        let config = try writeTemporaryConfig("""
            channels: {out: {type: console}}
            routes: [{notify: [out]}]
            """)
        let result = try await NotifyProcess.run(["send", "--config", config, "--kind", "failover", "--summary", "db failed over", "--output", "json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], result.stdout)
        XCTAssertEqual(object["id"] as? Int, 1)
        XCTAssertTrue(result.stderr.contains("db failed over"), "the console page, on standard error: \(result.stderr)")
        let text = try await NotifyProcess.run(["send", "--config", config, "--kind", "failover", "--summary", "web failed over"])
        XCTAssertTrue(text.stdout.contains("web failed over"), "without --output json the console page stays on standard output")
    }

    func testSendJSONOutput() async throws {
        let server = try await FakeHTTPServer()
        let config = try slackConfig(server)
        let result = try await notify(failoverFlags + ["--config", config, "--output", "json"], server: server)
        await server.stop()
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["id"] as? Int, 1)
        XCTAssertEqual(object["dedup_key"] as? String, "failover/prod-us-east/db-primary-1")
        XCTAssertEqual(object["status"] as? String, "triggered")
        XCTAssertEqual(object["new"] as? Bool, true)
        let deliveries = try XCTUnwrap(object["deliveries"] as? [[String: Any]])
        XCTAssertEqual(deliveries.first?["channel"] as? String, "ops-slack")
        XCTAssertEqual(deliveries.first?["outcome"] as? String, "delivered")
        XCTAssertEqual(deliveries.first?["attempts"] as? Int, 1)
    }

    func testRateLimitedSendWaitsRetryAfterThenDelivers() async throws {
        let server = try await FakeHTTPServer(script: [.init(status: .tooManyRequests, body: "", headers: ["Retry-After": "1"]), .slackOK])
        let config = try slackConfig(server)
        let started = Date()
        let result = try await notify(failoverFlags + ["--config", config], server: server)
        let elapsed = Date().timeIntervalSince(started)
        await server.stop()
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(server.requests.count, 2)
        XCTAssertGreaterThanOrEqual(elapsed, 1.0, "Retry-After: 1 must be waited for")
        XCTAssertTrue(result.stderr.contains("ops-slack: delivered (2 attempts)"), result.stderr)
    }

    func testServerErrorThenSuccessIsDelivered() async throws {
        let server = try await FakeHTTPServer(script: [.init(status: .internalServerError, body: "rollup_error"), .slackOK])
        let config = try slackConfig(server)
        let result = try await notify(failoverFlags + ["--config", config], server: server)
        await server.stop()
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(server.requests.count, 2)
    }

    func testChannelNotFoundExits69WithTheProvidersReason() async throws {
        let server = try await FakeHTTPServer(script: [.init(status: .notFound, body: "channel_not_found")])
        let config = try slackConfig(server)
        let result = try await notify(failoverFlags + ["--config", config], server: server)
        await server.stop()
        XCTAssertEqual(result.status, 69, result.stderr)
        XCTAssertEqual(server.requests.count, 1, "a permanent error is not retried")
        XCTAssertTrue(result.stderr.contains("ops-slack: not delivered, permanent failure (1 attempt): HTTP 404 channel_not_found"), result.stderr)
    }

    func testHungServerTimesOutAndExits75() async throws {
        let server = try await FakeHTTPServer(script: [.init(status: .ok, body: "ok", delay: .seconds(3))])
        let config = try slackConfig(server, delivery: "{timeout: 300ms, max_attempts: 1}")
        let result = try await notify(failoverFlags + ["--config", config], server: server)
        await server.stop()
        XCTAssertEqual(result.status, 75, result.stderr)
        XCTAssertTrue(result.stderr.contains("no answer within 300ms"), result.stderr)
    }

    func testWatchStreamOfTenThousandLines() async throws {
        let server = try await FakeHTTPServer()
        let config = try slackConfig(server)
        var lines: [String] = []
        for index in 0..<10_000 {
            switch index {
            case 100: lines.append("{broken")
            case 5_000: lines.append(#"{"kind":"failover","summary":"x","severity":"urgent"}"#)
            case 9_999: lines.append(#"{"event_action":"trigger","payload":{"summary":"PD","source":"h"}}"#)
            default:
                lines.append(#"{"kind":"health_check_failure","environment":"prod","source":"web-\#(index % 20)","summary":"web-\#(index % 20) down"}"#)
            }
        }
        let result = try await notify(["watch", "--config", config, "--summary", "json"], server: server, stdin: lines.joined(separator: "\n") + "\n")
        await server.stop()
        XCTAssertEqual(result.status, 65, result.stderr)
        let summary = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Int])
        XCTAssertEqual(summary["lines"], 10_000)
        XCTAssertEqual(summary["invalid_lines"], 3)
        XCTAssertEqual(summary["opened"], 20)
        XCTAssertEqual(summary["deduplicated"], 9_977)
        XCTAssertEqual(summary["delivered"], 20)
        XCTAssertEqual(server.requests.count, 20)
        let errorLines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("notify: line ") }
        XCTAssertEqual(errorLines.count, 3, result.stderr)
        XCTAssertTrue(errorLines[0].hasPrefix("notify: line 101: not valid JSON"), String(errorLines[0]))
        XCTAssertEqual(errorLines[1], #"notify: line 5001: field "severity": "urgent" is not one of critical, error, warning, info"#)
        XCTAssertEqual(errorLines[2], #"notify: line 10000: field "payload.severity": missing (required: one of critical, error, warning, info)"#)
    }

    func testWatchDeliversBeforeInputEnds() async throws {
        // The first event must reach Slack while stdin is still open.
        let server = try await FakeHTTPServer()
        let config = try slackConfig(server)
        let process = Process()
        process.executableURL = NotifyProcess.binary
        process.arguments = ["watch", "--config", config]
        process.environment = ProcessInfo.processInfo.environment.merging(["SLACK_URL": server.baseURL + secretPath, "NOTIFY_STATE": temporaryStatePath()]) { $1 }
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data(#"{"kind":"failover","summary":"early","environment":"prod"}"#.utf8 + [0x0A]))
        let deadline = Date().addingTimeInterval(10)
        while server.requests.isEmpty, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        XCTAssertEqual(server.requests.count, 1, "delivered while the stream is still open")
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        await server.stop()
        XCTAssertEqual(process.terminationStatus, 0)
    }

    func testBadFlagValueExits65AndNamesTheFlag() async throws {
        let config = try writeTemporaryConfig("channels: {out: {type: console}}\nroutes: [{notify: [out]}]")
        let result = try await NotifyProcess.run(["send", "--config", config, "--kind", "failover", "--summary", "x", "--severity", "urgent"])
        XCTAssertEqual(result.status, 65)
        XCTAssertEqual(result.stderr, "notify: --severity: \"urgent\" is not one of critical, error, warning, info\n")
    }

    func testMissingKindIsAUsageError() async throws {
        let result = try await NotifyProcess.run(["send", "--summary", "x"])
        XCTAssertEqual(result.status, 64, result.stderr)
    }

    func testConfigErrorsExit78AndNameTheKey() async throws {
        let missing = try writeTemporaryConfig("channels:\n  ops:\n    type: slack\nroutes: [{notify: [ops]}]")
        let result = try await NotifyProcess.run(["send", "--config", missing, "--kind", "failover", "--summary", "x"])
        XCTAssertEqual(result.status, 78)
        XCTAssertTrue(result.stderr.contains("channels.ops.webhook_url: missing"), result.stderr)

        let unset = try writeTemporaryConfig("channels:\n  ops: {type: slack, webhook_url: \"${NOTIFY_TEST_UNSET}\"}\nroutes: [{notify: [ops]}]")
        let check = try await NotifyProcess.run(["config", "check", "--config", unset])
        XCTAssertEqual(check.status, 78)
        XCTAssertTrue(check.stderr.contains("environment variable NOTIFY_TEST_UNSET is not set"), check.stderr)

        let none = try await NotifyProcess.run(["config", "check", "--config", "/nonexistent/notify.yaml"])
        XCTAssertEqual(none.status, 78)
    }

    func testConfigCheckNeverPrintsSecrets() async throws {
        let server = try await FakeHTTPServer()
        let config = try slackConfig(server)
        let result = try await notify(["config", "check", "--config", config], server: server)
        await server.stop()
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("ops-slack: slack (webhook_url set)"), result.stdout)
    }

    func testTestCommandSendsThroughOneChannel() async throws {
        let server = try await FakeHTTPServer()
        let config = try slackConfig(server)
        let result = try await notify(["test", "ops-slack", "--config", config], server: server)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "ops-slack: delivered (1 attempt)\n")
        XCTAssertTrue(server.requests.first?.body.contains("Test notification from notify") == true)
        let unknown = try await notify(["test", "pager", "--config", config], server: server)
        await server.stop()
        XCTAssertEqual(unknown.status, 64)
        XCTAssertTrue(unknown.stderr.contains("no channel named \"pager\" (channels: ops-slack)"), unknown.stderr)
    }

    func testSendJSONFromStdinAcceptsPagerDutyBodies() async throws {
        let server = try await FakeHTTPServer()
        let config = try slackConfig(server)
        let input = """
            {"routing_key":"r","event_action":"trigger","dedup_key":"srv01/HTTP","payload":{"summary":"HTTP down","source":"srv01","severity":"critical"}}
            {"kind":"failover","summary":"second event"}
            """
        let result = try await notify(["send", "--json", "--config", config], server: server, stdin: input)
        await server.stop()
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "1\n2\n")
        XCTAssertEqual(server.requests.count, 2)
    }

    func testTestCommandSendsAnSMSToAContactThroughTwilio() async throws {
        let server = try await FakeHTTPServer(script: [.init(status: .created, body: #"{"sid":"SM1","status":"queued"}"#)])
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let environment = ["SLACK_WEBHOOK_URL": server.baseURL + "/slack", "TWILIO_ACCOUNT_SID": "ACtest", "TWILIO_AUTH_TOKEN": "SUPERSECRETTOKEN",
                           "TWILIO_FROM": "+15005550006", "TWILIO_BASE_URL": server.baseURL]
        let result = try await NotifyProcess.run(["test", "twilio-sms", "--to", "alice", "--config", root.appendingPathComponent("Examples/oncall.yaml").path, "--log-level", "trace"], environment: environment)
        await server.stop()
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "twilio-sms to alice: delivered (1 attempt)\n")
        XCTAssertEqual(server.requests.first?.path, "/2010-04-01/Accounts/ACtest/Messages.json")
        XCTAssertEqual(server.requests.first?.form["To"], "+14155550100")
        XCTAssertFalse(result.stdout.contains("SUPERSECRETTOKEN") || result.stderr.contains("SUPERSECRETTOKEN"))
        let unknown = try await NotifyProcess.run(["test", "twilio-sms", "--to", "carol", "--config", root.appendingPathComponent("Examples/oncall.yaml").path], environment: environment)
        XCTAssertEqual(unknown.status, 64)
        XCTAssertTrue(unknown.stderr.contains(#"no contact named "carol" (contacts: alice, bob)"#), unknown.stderr)
    }

    /// Five alerts to one person read at once: one SMS carries them all (the newest first), so
    /// her throttle (2 in 15 minutes) is not even reached.
    func testWatchSendsPagesWaitingForOnePersonAsOneMessage() async throws {
        let server = try await FakeHTTPServer(script: [.init(status: .created, body: #"{"sid":"SM1"}"#)])
        let config = try writeTemporaryConfig("""
            channels:
              sms: {type: twilio_sms, account_sid: ACtest, auth_token: "${TOKEN}", from: "+15005550006", base_url: "\(server.baseURL)", throttle: {limit: 2, window: 15m}}
            contacts: {alice: {phone: "+14155550100"}}
            routes: [{notify: [{channel: sms, to: [alice]}]}]
            """)
        let lines = (1...5).map { #"{"kind":"health_check_failure","environment":"prod","source":"web-\#($0)","summary":"web-\#($0) down"}"# }
        let result = try await NotifyProcess.run(["watch", "--config", config, "--summary", "json"], stdin: Data((lines.joined(separator: "\n") + "\n").utf8), environment: ["TOKEN": "SUPERSECRETTOKEN"])
        await server.stop()
        XCTAssertEqual(result.status, 0, result.stderr)
        let summary = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Int])
        XCTAssertEqual(summary["delivered"], 5, "every page reached her")
        XCTAssertEqual(summary["throttled"], 0)
        XCTAssertEqual(server.requests.count, 1, "in one message")
        let body = try XCTUnwrap(server.requests.first?.form["Body"])
        XCTAssertTrue(body.hasPrefix("(+4 more since "), body)
        XCTAssertTrue(body.contains("#5 Health check failure prod/web-5"), "the newest leads: \(body)")
    }

    func testStateIsSharedBetweenRunsAndAckResolveListShowWork() async throws {
        let server = try await FakeHTTPServer()
        let config = try slackConfig(server)
        let state = temporaryStatePath()
        func run(_ arguments: [String], stdin: String = "") async throws -> NotifyProcess.Result {
            try await NotifyProcess.run(arguments + ["--config", config], stdin: Data(stdin.utf8),
                                        environment: ["SLACK_URL": server.baseURL + secretPath, "NOTIFY_STATE": state])
        }
        let first = try await run(failoverFlags)
        let second = try await run(failoverFlags)
        XCTAssertEqual(first.stdout, "1\n")
        XCTAssertEqual(second.stdout, "1\n")
        XCTAssertTrue(second.stderr.contains("alert 1 is already open (seen 2 times); not notifying again"), second.stderr)
        XCTAssertEqual(server.requests.count, 1, "the second send is deduplicated across processes")

        let ack = try await run(["ack", "1", "--by", "alice", "--note", "looking"])
        XCTAssertEqual(ack.status, 0, ack.stderr)
        XCTAssertEqual(ack.stdout, "alert 1 acknowledged\n")
        let list = try await run(["list"])
        let row = list.stdout.split(separator: "\n").dropFirst().first.map { $0.split(whereSeparator: \.isWhitespace).map(String.init) } ?? []
        XCTAssertEqual(row.first, "1", list.stdout)
        XCTAssertTrue(row.starts(with: ["1", "acknowledged", "critical"]) && row.contains("alice") && row.contains("prod-us-east/db-primary-1"), list.stdout)

        let resolve = try await run(["resolve", "--dedup-key", "failover/prod-us-east/db-primary-1", "--by", "bob"])
        XCTAssertEqual(resolve.status, 0, resolve.stderr)
        let again = try await run(["resolve", "1"])
        XCTAssertEqual(again.status, 65)
        XCTAssertEqual(again.stderr, "notify: alert #1 is already resolved\n")
        let missing = try await run(["ack", "99"])
        XCTAssertEqual(missing.status, 65)
        XCTAssertEqual(missing.stderr, "notify: there is no alert #99\n")

        let show = try await run(["show", "1", "--output", "json"])
        await server.stop()
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        XCTAssertEqual((object["alert"] as? [String: Any])?["status"] as? String, "resolved")
        let timeline = try XCTUnwrap(object["timeline"] as? [[String: Any]])
        XCTAssertEqual(timeline.map { $0["what"] as? String ?? "" }, ["opened", "escalated", "delivered", "deduplicated", "acknowledged", "resolved"])
        XCTAssertEqual(timeline[1]["note"] as? String, "notified by route routes[0]")
        XCTAssertEqual(timeline[4]["actor"] as? String, "alice")
        XCTAssertEqual(timeline[4]["note"] as? String, "looking")
        XCTAssertEqual(timeline[5]["actor"] as? String, "bob")
        XCTAssertEqual(timeline[2]["channel"] as? String, "ops-slack")
    }

    func testTwoProcessesRacingOnOneKeyOpenOneAlert() async throws {
        let server = try await FakeHTTPServer()
        let config = try slackConfig(server)
        let state = temporaryStatePath()
        let environment = ["SLACK_URL": server.baseURL + secretPath, "NOTIFY_STATE": state]
        let arguments = failoverFlags + ["--config", config]
        let results = try await withThrowingTaskGroup(of: NotifyProcess.Result.self) { group in
            for _ in 0..<4 {
                group.addTask { try await NotifyProcess.run(arguments, environment: environment) }
            }
            var all: [NotifyProcess.Result] = []
            for try await result in group { all.append(result) }
            return all
        }
        await server.stop()
        XCTAssertEqual(results.map(\.status), [0, 0, 0, 0], results.map(\.stderr).joined())
        XCTAssertEqual(Set(results.map(\.stdout)), ["1\n"])
        XCTAssertEqual(server.requests.count, 1, "one page, whichever process opened the alert")
    }

    func testRouteTestPrintsThePlanAndSendsNothing() async throws {
        let server = try await FakeHTTPServer()
        let config = try slackConfig(server)
        let result = try await notify(["route", "test", "--kind", "failover", "--env", "prod-us-east", "--config", config, "--output", "json"], server: server)
        await server.stop()
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(server.requests.count, 0)
        let plan = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(plan["route"] as? String, "routes[0]")
        XCTAssertEqual((plan["pages"] as? [[String: Any]])?.map { $0["channel"] as? String }, ["ops-slack"])
        let bad = try await notify(["route", "test", "--kind", "failover", "--severity", "urgent", "--config", config], server: server)
        XCTAssertEqual(bad.status, 65)
    }

    func testSilenceAddListExpire() async throws {
        let config = try writeTemporaryConfig("channels: {out: {type: console}}\nroutes: [{notify: [out]}]")
        let state = temporaryStatePath()
        func run(_ arguments: [String]) async throws -> NotifyProcess.Result {
            try await NotifyProcess.run(arguments + ["--config", config], environment: ["NOTIFY_STATE": state])
        }
        let add = try await run(["silence", "add", "--match", "environment=staging", "--for", "2h", "--comment", "load test", "--by", "alice"])
        XCTAssertEqual(add.status, 0, add.stderr)
        XCTAssertEqual(add.stdout, "1\n")
        let send = try await run(["send", "--kind", "failover", "--env", "staging", "--summary", "x"])
        XCTAssertEqual(send.stdout, "1\n", "recorded, and the console printed nothing")
        let list = try await run(["silence", "list"])
        XCTAssertTrue(list.stdout.hasPrefix("#1\tactive\tenvironment=staging"), list.stdout)
        XCTAssertTrue(list.stdout.contains("by alice  \"load test\""), list.stdout)
        let expire = try await run(["silence", "expire", "1"])
        XCTAssertEqual(expire.stdout, "silence 1 expired\n")
        let again = try await run(["silence", "expire", "1"])
        XCTAssertEqual(again.status, 65)
        let bad = try await run(["silence", "add", "--match", "region=eu", "--for", "1h"])
        XCTAssertEqual(bad.status, 64)
        XCTAssertTrue(bad.stderr.contains(#"cannot match on "region""#), bad.stderr)
    }
}
