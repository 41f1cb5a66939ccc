import Foundation
import XCTest

/// What a person at the terminal gets from `ack` and `heartbeat` (issue 12): the timeline says
/// who acted even without `--by`, and a heartbeat nobody watches is an error, not a quiet success.
final class PersonCommandTests: NotifyTestCase {
    private func config() throws -> String {
        try writeTemporaryConfig("""
            channels: {out: {type: console}}
            routes: [{notify: [out]}]
            heartbeats:
              nightly-backup: {interval: 24h, grace: 1h}
            """)
    }

    func testAnAcknowledgementWithoutByRecordsTheLoginRunningIt() async throws {
        let config = try config()
        let environment = ["NOTIFY_STATE": temporaryStatePath(), "USER": "carol"]
        let sent = try await NotifyProcess.run(["send", "--config", config, "--kind", "failover", "--summary", "db-1 failed over"], environment: environment)
        XCTAssertEqual(sent.status, 0, sent.stderr)
        let ack = try await NotifyProcess.run(["ack", "1", "--config", config], environment: environment)
        XCTAssertEqual(ack.status, 0, ack.stderr)
        let show = try await NotifyProcess.run(["show", "1", "--config", config, "--output", "json"], environment: environment)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        let acknowledged = try XCTUnwrap((object["timeline"] as? [[String: Any]])?.first { $0["what"] as? String == "acknowledged" })
        XCTAssertEqual(acknowledged["actor"] as? String, "carol")
    }

    func testTheWatchSummaryCountsInTheRightNumber() async throws {
        let result = try await NotifyProcess.run(["watch", "--config", try config()], stdin: Data(#"{"kind":"failover","summary":"db-1 failed over"}"#.utf8 + [10]),
                                                 environment: ["NOTIFY_STATE": temporaryStatePath()])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("watch: 1 line, 1 event, 0 invalid;"), result.stderr)
        XCTAssertTrue(result.stderr.contains("0 unknown keys"), result.stderr)
    }

    func testAJSONSummaryKeepsStandardOutputParseableBesideAConsoleChannel() async throws {
        let result = try await NotifyProcess.run(["watch", "--config", try config(), "--summary", "json"],
                                                 stdin: Data(#"{"kind":"failover","summary":"db-1 failed over"}"#.utf8 + [10]),
                                                 environment: ["NOTIFY_STATE": temporaryStatePath()])
        XCTAssertEqual(result.status, 0, result.stderr)
        let summary = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], result.stdout)
        XCTAssertEqual(summary["opened"] as? Int, 1)
        XCTAssertTrue(result.stderr.contains("db-1 failed over"), "the console page went to standard error: \(result.stderr)")
    }

    func testTestingAPersonChannelWithoutToNamesTheFlag() async throws {
        let config = try writeTemporaryConfig("""
            channels:
              sms:
                type: http_sms
                url: http://127.0.0.1:9/sms
                body: {form: {to: "{{to_digits}}", text: "{{text}}"}}
            contacts:
              alice: {phone: "+14155550100"}
            routes: [{notify: [{channel: sms, to: [alice]}]}]
            """)
        let result = try await NotifyProcess.run(["test", "sms", "--config", config])
        XCTAssertEqual(result.status, 64, result.stderr)
        XCTAssertEqual(result.stderr, "notify: channel sms reaches people: name one with --to CONTACT (contacts: alice)\n")
    }

    func testAnUnsetChannelSecretBlocksOnlyThatChannel() async throws {
        let config = try writeTemporaryConfig("""
            channels:
              ops: {type: slack, webhook_url: "${NOTIFY_TEST_UNSET_SLACK}"}
              out: {type: console}
            routes: [{notify: [ops, out]}]
            """)
        let environment = ["NOTIFY_STATE": temporaryStatePath()]
        let sent = try await NotifyProcess.run(["send", "--config", config, "--kind", "failover", "--summary", "db-1 failed over"], environment: environment)
        XCTAssertEqual(sent.status, 69, "a channel did not deliver: not a success \(sent.stderr)")
        XCTAssertTrue(sent.stderr.contains("out: delivered"), sent.stderr)
        XCTAssertTrue(sent.stderr.contains("ops: not delivered, permanent failure (1 attempt): channel not configured: channels.ops.webhook_url: environment variable NOTIFY_TEST_UNSET_SLACK is not set"), sent.stderr)
        for command in [["list"], ["show", "1"], ["ack", "1"], ["status"], ["silence", "list"], ["route", "test", "--kind", "failover"],
                        ["oncall"], ["resolve", "1"]] {
            let result = try await NotifyProcess.run(command + ["--config", config], environment: environment)
            XCTAssertEqual(result.status, 0, "\(command): \(result.stderr)")
        }
        let check = try await NotifyProcess.run(["config", "check", "--config", config], environment: environment)
        XCTAssertEqual(check.status, 78, "config check still says it: \(check.stderr)")
    }

    func testHeartbeatsAreListedWithTheirLastBeatAndDeadline() async throws {
        let config = try writeTemporaryConfig("""
            channels: {out: {type: console}}
            routes: [{notify: [out]}]
            heartbeats:
              nightly-backup: {interval: 24h, grace: 1h}
              replication-check: {interval: 5m}
            """)
        let environment = ["NOTIFY_STATE": temporaryStatePath()]
        _ = try await NotifyProcess.run(["heartbeat", "nightly-backup", "--config", config], environment: environment)
        let list = try await NotifyProcess.run(["heartbeat", "--config", config], environment: environment)
        XCTAssertEqual(list.status, 0, list.stderr)
        let lines = list.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, list.stdout)
        XCTAssertTrue(lines[0].hasPrefix("nightly-backup     every 24h + 1h  last beat "), lines[0])
        XCTAssertTrue(lines[0].contains("due by "), lines[0])
        XCTAssertTrue(lines[1].hasPrefix("replication-check  every 5m + 1m  last beat never  due by "), lines[1])
        let json = try await NotifyProcess.run(["heartbeat", "--config", config, "--output", "json"], environment: environment)
        let readings = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(readings.map { $0["name"] as? String }, ["nightly-backup", "replication-check"])
        XCTAssertEqual(readings[0]["interval_seconds"] as? Int, 86_400)
    }

    func testReadingTheStateNeedsNoConfig() async throws {
        let state = temporaryStatePath()
        let sent = try await NotifyProcess.run(["send", "--config", try config(), "--kind", "failover", "--summary", "db-1 failed over"], environment: ["NOTIFY_STATE": state])
        XCTAssertEqual(sent.status, 0, sent.stderr)
        for command in [["list"], ["show", "1"], ["status"]] {
            let result = try await NotifyProcess.run(command + ["--state", state])
            XCTAssertEqual(result.status, 0, "\(command): \(result.stderr)")
            XCTAssertFalse(result.stderr.contains("config"), "\(command): \(result.stderr)")
        }
        let listed = try await NotifyProcess.run(["list", "--state", state])
        XCTAssertTrue(listed.stdout.contains("db-1 failed over"), listed.stdout)
    }

    func testConfigCheckShowsEverythingConfiguredWithoutSecrets() async throws {
        let config = try writeTemporaryConfig("""
            channels: {out: {type: console}}
            routes: [{notify: [out]}]
            heartbeats:
              nightly-backup: {interval: 24h, grace: 1h, severity: critical}
            detectors:
              continuous_failure: {kind: health_check_failure, threshold: 5, window: 10m, per: environment}
            maintenance:
              - {name: sunday-patching, match: {environment: staging}, timezone: Europe/Berlin, days: [sun], from: "02:00", until: "04:00"}
            dead_man_switch: {url: "https://hc-ping.com/0b3c-very-secret", every: 2m}
            delivery: {lease: 20s}
            """)
        let check = try await NotifyProcess.run(["config", "check", "--config", config])
        XCTAssertEqual(check.status, 0, check.stderr)
        for expected in ["heartbeats (1):", "  nightly-backup: every 24h + 1h grace, critical",
                         "detectors: continuous_failure: 5 health_check_failure alerts per environment within 10m",
                         "maintenance (1):", "  sunday-patching: environment=staging, weekly Sun 02:00-04:00 Europe/Berlin",
                         "lease 20s", "dead_man_switch: url set; GET every 2m"] {
            XCTAssertTrue(check.stdout.contains(expected), "\(expected) in:\n\(check.stdout)")
        }
        XCTAssertFalse(check.stdout.contains("0b3c-very-secret"))
    }

    func testAHeartbeatTheConfigDoesNotKnowIsAUsageError() async throws {
        let config = try config()
        let state = temporaryStatePath()
        let typo = try await NotifyProcess.run(["heartbeat", "nightly-bakcup", "--config", config], environment: ["NOTIFY_STATE": state])
        XCTAssertEqual(typo.status, 64)
        XCTAssertEqual(typo.stderr, "notify: no heartbeat named \"nightly-bakcup\" in the config; known: nightly-backup\n")
        let known = try await NotifyProcess.run(["heartbeat", "nightly-backup", "--config", config], environment: ["NOTIFY_STATE": state])
        XCTAssertEqual(known.status, 0, known.stderr)
        XCTAssertEqual(known.stdout, "heartbeat nightly-backup recorded\n")
    }

    /// `notify list`: a header, and columns that stay in line whatever the summaries are.
    func testTheListHasAHeaderAndAlignedColumnsWithTheStandingOfEachAlert() async throws {
        let config = try writeTemporaryConfig("""
            channels: {out: {type: console}}
            policies:
              db: {steps: [{after: 0s, notify: [out]}, {after: 10m, notify: [out]}]}
            routes: [{match: {kind: failover}, policy: db}, {notify: [out]}]
            """)
        let environment = ["NOTIFY_STATE": temporaryStatePath()]
        let long = String(repeating: "web-07 failed its health check ", count: 6)
        for (kind, summary) in [("failover", "db-1 failed over"), ("health_check_failed", long), ("health_check_failed", long)] {
            let sent = try await NotifyProcess.run(["send", "--config", config, "--kind", kind, "--summary", summary], environment: environment)
            XCTAssertNotEqual(sent.status, 1, sent.stderr)
        }
        let ack = try await NotifyProcess.run(["ack", "2", "--by", "alice", "--config", config], environment: environment)
        XCTAssertEqual(ack.status, 0, ack.stderr)

        let list = try await NotifyProcess.run(["list", "--config", config], environment: environment)
        XCTAssertEqual(list.status, 0, list.stderr)
        let lines = list.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 3, list.stdout)
        XCTAssertTrue(lines[0].hasPrefix("ID  STATUS        SEVERITY  AGE  LAST SEEN  SEEN  ACKED BY  STEP  NEXT"), list.stdout)
        let summaryColumn = try XCTUnwrap(lines[0].range(of: "SUMMARY")).lowerBound.utf16Offset(in: lines[0])
        XCTAssertEqual(lines[1].dropFirst(summaryColumn).prefix(long.count), long[...], "summaries start in one column:\n\(list.stdout)")
        XCTAssertTrue(lines[2].dropFirst(summaryColumn).hasPrefix("db-1 failed over"), list.stdout)
        let acknowledged = lines[1].split(whereSeparator: \.isWhitespace)
        XCTAssertEqual(Array(acknowledged.prefix(3)), ["2", "acknowledged", "error"], list.stdout)
        XCTAssertEqual(acknowledged[7], "alice", "who acknowledged:\n\(list.stdout)")
        XCTAssertEqual(acknowledged[6], "2", "seen twice:\n\(list.stdout)")
        let failover = lines[2].split(whereSeparator: \.isWhitespace)
        XCTAssertEqual(failover[8], "1/2", "the step that fired:\n\(list.stdout)")
        XCTAssertTrue(["in 9m", "in 10m"].contains(failover[9...10].joined(separator: " ")), "when the next one is due:\n\(list.stdout)")

        let show = try await NotifyProcess.run(["show", "1", "--config", config], environment: environment)
        XCTAssertEqual(show.status, 0, show.stderr)
        XCTAssertTrue(show.stdout.contains("  escalation:   step 1 of 2 of policy db\n"), show.stdout)
        XCTAssertTrue(show.stdout.contains("  seen:         1 time, first "), show.stdout)
        XCTAssertTrue(show.stdout.range(of: #"  next step:    at \S+ \(in (9m5\ds|10m)\); no notify daemon is running"#, options: .regularExpression) != nil, show.stdout)
        XCTAssertTrue(show.stdout.range(of: #"paged, in order:\n  1\. \S+  out: delivered\ntimeline:"#, options: .regularExpression) != nil, show.stdout)
        let acked = try await NotifyProcess.run(["show", "2", "--config", config], environment: environment)
        XCTAssertTrue(acked.stdout.contains("  status:       acknowledged by alice at "), acked.stdout)
    }

    func testConfigCheckReportsEveryProblemInOneRun() async throws {
        let config = try writeTemporaryConfig("""
            channels:
              ops: {type: slack}
            contacts:
              alice: {phone: "555"}
            routes: [{notify: [ops]}]
            """)
        let check = try await NotifyProcess.run(["config", "check", "--config", config])
        XCTAssertEqual(check.status, 78, check.stderr)
        let lines = check.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, check.stderr)
        XCTAssertTrue(lines[0].hasSuffix(":2: channels.ops.webhook_url: missing"), check.stderr)
        XCTAssertTrue(lines[1].contains(":4: contacts.alice.phone: "), check.stderr)
    }

    /// The README says: copy Examples/slack.yaml, export SLACK_WEBHOOK_URL, try it. That alone
    /// must be enough: no warning, no channel that cannot deliver, a page that arrives.
    func testTheSlackExampleWorksWithOnlyTheVariableTheReadmeNames() async throws {
        let server = try await FakeHTTPServer()
        defer { Task { await server.stop() } }
        let example = DocSnippet.root.appendingPathComponent("Examples/slack.yaml").path
        let environment = ["SLACK_WEBHOOK_URL": server.baseURL + "/services/T000/B000/XXXX"]
        let check = try await NotifyProcess.run(["config", "check", "--config", example], environment: environment)
        XCTAssertEqual(check.status, 0, check.stderr)
        XCTAssertEqual(check.stderr, "", "no warning")
        let test = try await NotifyProcess.run(["test", "ops-slack", "--config", example], environment: environment)
        XCTAssertEqual(test.status, 0, test.stderr)
        let sent = try await NotifyProcess.run(["send", "--config", example, "--kind", "failover", "--severity", "critical", "--env", "prod-us-east",
                                                "--summary", "db-1 failed over"], environment: environment)
        XCTAssertEqual(sent.status, 0, sent.stderr)
        XCTAssertEqual(server.requests.count, 2, "the test message and the page")
    }

    func testAckWithoutAnAlertSaysWhatIsMissing() async throws {
        for verb in ["ack", "resolve"] {
            let result = try await NotifyProcess.run([verb, "--config", try config()])
            XCTAssertEqual(result.status, 64, result.stderr)
            XCTAssertTrue(result.stderr.hasPrefix("Error: which alert? Give its id (as `notify list` shows it) or --dedup-key KEY\n"), result.stderr)
        }
        let both = try await NotifyProcess.run(["ack", "1", "--dedup-key", "k", "--config", try config()])
        XCTAssertTrue(both.stderr.hasPrefix("Error: give an alert id or --dedup-key, not both\n"), both.stderr)
    }
}
