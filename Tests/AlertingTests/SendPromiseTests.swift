import Foundation
import XCTest

/// `notify send` never says "sent" when nobody was paged: a retried send that dedups reports
/// the page it still owes (#1), and a send that leaves later steps with nobody to run them
/// says so (#2). The real binary against a loopback Slack fake.
final class SendPromiseTests: NotifyTestCase {
    private let send = ["send", "--kind", "failover", "--env", "prod", "--source", "db-1", "--summary", "db-1 failed over", "--dedup-key", "db"]

    private func config(_ server: FakeHTTPServer, policy: Bool = false) throws -> String {
        let routing = policy ? """
            policies:
              db:
                steps:
                  - {after: 0s, notify: [ops-slack]}
                  - {after: 5m, notify: [ops-slack]}
            routes: [{policy: db}]
            """ : "routes: [{notify: [ops-slack]}]"
        return try writeTemporaryConfig("""
            delivery: {timeout: 2s, max_attempts: 2, initial_backoff: 10ms}
            channels:
              ops-slack: {type: slack, webhook_url: "\(server.baseURL)/hook"}
            \(routing)
            """)
    }

    func testARetriedSendThatDedupsTriesTheOwedPageAndExitsWithItsOutcome() async throws {
        // Slack is down for the first send (both attempts), up for the retry.
        let server = try await FakeHTTPServer(script: [.init(status: .serviceUnavailable, body: "down"), .init(status: .serviceUnavailable, body: "down"), .slackOK])
        let config = try config(server)
        let state = temporaryStatePath()
        let first = try await NotifyProcess.run(send + ["--config", config], environment: ["NOTIFY_STATE": state])
        XCTAssertEqual(first.status, 75, first.stderr)
        let retried = try await NotifyProcess.run(send + ["--config", config], environment: ["NOTIFY_STATE": state])
        await server.stop()
        XCTAssertEqual(retried.status, 0, "the owed page went out on the retry: \(retried.stderr)")
        XCTAssertTrue(retried.stderr.contains("ops-slack: delivered"), retried.stderr)
        XCTAssertEqual(server.requests.count, 3)
    }

    func testARetriedSendThatDedupsWhileTheGatewayIsStillDownIsNotASuccess() async throws {
        let server = try await FakeHTTPServer(script: [.init(status: .serviceUnavailable, body: "down")])
        let config = try config(server)
        let state = temporaryStatePath()
        _ = try await NotifyProcess.run(send + ["--config", config], environment: ["NOTIFY_STATE": state])
        let retried = try await NotifyProcess.run(send + ["--config", config], environment: ["NOTIFY_STATE": state])
        await server.stop()
        XCTAssertEqual(retried.status, 75, "nobody was paged: \(retried.stderr)")
        XCTAssertTrue(retried.stderr.contains("has not reached anyone yet"), retried.stderr)
    }

    func testASendThatLeavesLaterStepsWithNobodyToRunThemSaysSo() async throws {
        let server = try await FakeHTTPServer()
        let result = try await NotifyProcess.run(send + ["--config", try config(server, policy: true)])
        await server.stop()
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("no notify daemon, serve or watch is running"), result.stderr)
        XCTAssertTrue(result.stderr.contains("(in 5m)"), result.stderr)
        XCTAssertTrue(result.stderr.contains("notify daemon"), result.stderr)
    }

    func testShowSaysWhenTheNextStepIsDue() async throws {
        let server = try await FakeHTTPServer()
        let config = try config(server, policy: true)
        let state = temporaryStatePath()
        _ = try await NotifyProcess.run(send + ["--config", config], environment: ["NOTIFY_STATE": state])
        let shown = try await NotifyProcess.run(["show", "1", "--config", config], environment: ["NOTIFY_STATE": state])
        await server.stop()
        XCTAssertEqual(shown.status, 0, shown.stderr)
        XCTAssertTrue(shown.stdout.contains("next step:    at "), shown.stdout)
        XCTAssertTrue(shown.stdout.contains("(in 5m)") || shown.stdout.contains("(in 4m59s)"), shown.stdout)
    }
}

extension SendPromiseTests {
    func testAStateFileThatCannotBeOpenedDoesNotSilenceThePage() async throws {
        let server = try await FakeHTTPServer()
        let blocker = FileManager.default.temporaryDirectory.appendingPathComponent("notify-blocker-\(UUID().uuidString)").path
        // A file where the state directory should be.
        XCTAssertTrue(FileManager.default.createFile(atPath: blocker, contents: Data()))
        let state = blocker + "/state.db"
        let sent = try await NotifyProcess.run(send + ["--config", try config(server)], environment: ["NOTIFY_STATE": state])
        await server.stop()
        XCTAssertEqual(server.requests.count, 1, "paged anyway")
        XCTAssertEqual(sent.status, 74, "then exits with the state error: \(sent.stderr)")
        XCTAssertTrue(sent.stderr.contains("DELIVERING WITHOUT STATE"), sent.stderr)
        XCTAssertTrue(sent.stderr.contains("a file is in the way"), sent.stderr)
        XCTAssertFalse(sent.stderr.contains("NSCocoaErrorDomain"), sent.stderr)
        let listed = try await NotifyProcess.run(["list", "--config", try config(server)], environment: ["NOTIFY_STATE": state])
        XCTAssertEqual(listed.status, 74, "reading needs the state: no fallback there")
    }
}
