import Foundation
import XCTest

/// A channel type and a detector written outside notify (Examples/CustomNotify: Discord and a
/// failover-loop detector), registered by a program of their own that runs notify's command
/// line: named in a config file, they work in `config check`, `test`, routes, `send` and
/// `daemon` with no change to notify.
final class CustomNotifyTests: NotifyTestCase {
    private var binary: URL { NotifyProcess.binary(named: "custom-notify") }

    private func config(discord: FakeHTTPServer, firstStepAfter: String = "0s") throws -> String {
        try writeTemporaryConfig("""
            channels:
              discord-ops: {type: discord, webhook_url: "\(discord.baseURL)/api/webhooks/42/SUPERSECRETTOKEN"}
              out: {type: console}
            detectors:
              failover_loop: {threshold: 3, window: 1h}
            policies:
              loop:
                steps:
                  - after: \(firstStepAfter)
                    notify: [discord-ops]
            routes:
              - {name: loops, match: {kind: failover_loop}, policy: loop}
              - {name: everything, notify: [out]}
            """)
    }

    func testConfigCheckAndTestKnowTheTypeAndNeverPrintItsSecret() async throws {
        // Discord answers 204 No Content to a webhook post.
        let discord = try await FakeHTTPServer(script: [.init(status: .noContent, body: "")])
        let config = try config(discord: discord)
        let check = try await NotifyProcess.run(["config", "check", "--config", config], binary: binary)
        XCTAssertEqual(check.status, 0, check.stderr)
        XCTAssertTrue(check.stdout.contains("discord-ops: discord (webhook_url set)"), check.stdout)
        XCTAssertTrue(check.stdout.contains("detectors: failover_loop: 3 failovers in an environment within 1h"), check.stdout)
        XCTAssertFalse(check.stdout.contains("SUPERSECRETTOKEN"))

        let test = try await NotifyProcess.run(["test", "discord-ops", "--config", config], binary: binary)
        XCTAssertEqual(test.status, 0, test.stdout + test.stderr)
        XCTAssertEqual(discord.requests.count, 1)
        XCTAssertEqual(discord.requests.first?.path, "/api/webhooks/42/SUPERSECRETTOKEN")
        XCTAssertTrue((discord.requests.first?.json?["content"] as? String)?.contains("Test notification from notify") == true)

        // notify itself does not know the type: the registry is the program's.
        let plain = try await NotifyProcess.run(["config", "check", "--config", config])
        XCTAssertEqual(plain.status, 78)
        XCTAssertTrue(plain.stderr.contains(#"channels.discord-ops.type: "discord" is not one of slack"#), plain.stderr)
        XCTAssertTrue(plain.stderr.contains("detectors.failover_loop: unknown detector"), plain.stderr)
        await discord.stop()
    }

    func testTheDetectorRaisesAndTheDaemonPagesThroughTheChannelHonouringRetryAfter() async throws {
        // Rate limited first, as Discord answers it (429, Retry-After in seconds, JSON body).
        let discord = try await FakeHTTPServer(script: [
            .init(status: .tooManyRequests, body: #"{"message": "You are being rate limited.", "retry_after": 1.0, "global": false}"#,
                  headers: ["Retry-After": "1", "Content-Type": "application/json"]),
            .init(status: .noContent, body: ""),
        ])
        let config = try config(discord: discord, firstStepAfter: "1s")
        let state = temporaryStatePath()
        let daemon = Process()
        daemon.executableURL = binary
        daemon.arguments = ["daemon", "--config", config]
        daemon.environment = ProcessInfo.processInfo.environment.merging(["NOTIFY_STATE": state]) { $1 }
        daemon.standardOutput = FileHandle.nullDevice
        daemon.standardError = FileHandle.nullDevice
        try daemon.run()
        defer { if daemon.isRunning { daemon.terminate() } }

        // Three failovers of prod's database, each healed: the third makes a loop.
        for round in 1...3 {
            for action in ["trigger", "resolve"] {
                let sent = try await NotifyProcess.run(["send", "--config", config, "--kind", "failover", "--env", "prod", "--source", "db-primary",
                                                        "--action", action, "--summary", "failover \(round)"],
                                                       environment: ["NOTIFY_STATE": state], binary: binary)
                XCTAssertEqual(sent.status, 0, sent.stderr)
            }
        }
        // The loop's first step is due a second later: the daemon fires it, Discord says 429,
        // and the retry after Retry-After delivers it.
        try await waitFor("the loop page to reach Discord", timeout: 20) { discord.requests.count >= 2 }
        let contents = discord.requests.compactMap { $0.json?["content"] as? String }
        XCTAssertEqual(contents.count, 2, "one rate-limited attempt, then the delivery")
        XCTAssertTrue(contents.allSatisfy { $0.contains("prod failed over 3 times within 1h") }, "\(contents)")

        let list = try await NotifyProcess.run(["list", "--config", config, "--output", "json"], environment: ["NOTIFY_STATE": state], binary: binary)
        XCTAssertTrue(list.stdout.contains("failover_loop/prod"), list.stdout)
        daemon.terminate()
        daemon.waitUntilExit()
        XCTAssertEqual(daemon.terminationStatus, 0, "SIGTERM is a clean exit")
        await discord.stop()
    }
}
