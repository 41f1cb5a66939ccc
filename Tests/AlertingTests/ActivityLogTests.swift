import Foundation
import XCTest

/// What a long-running notify logs at the default level (issue 12): one line per alert opened,
/// acknowledged or resolved and per page placed or failed, and each failure said once.
final class ActivityLogTests: NotifyTestCase {
    private func config(_ server: FakeHTTPServer) throws -> String {
        try writeTemporaryConfig("""
            channels:
              out: {type: console}
              pager: {type: webhook, url: "\(server.baseURL)/page"}
            delivery: {max_attempts: 2, initial_backoff: 10ms}
            routes: [{notify: [out, pager]}]
            """)
    }

    func testWatchSaysEachAlertAndEachPageOnceAtTheDefaultLevel() async throws {
        let server = try await FakeHTTPServer(script: [.init(status: .serviceUnavailable, body: "down")])
        defer { Task { await server.stop() } }
        let events = """
            {"kind":"failover","environment":"prod","summary":"db-1 failed over"}
            {"kind":"backup_missed","environment":"prod","summary":"no backup"}
            {"kind":"backup_missed","environment":"prod","action":"acknowledge","actor":"alice"}
            {"kind":"backup_missed","environment":"prod","action":"resolve","actor":"alice"}

            """
        let watch = try await NotifyProcess.run(["watch", "--config", try config(server)], stdin: Data(events.utf8),
                                                environment: ["NOTIFY_STATE": temporaryStatePath()])
        XCTAssertEqual(watch.status, 75, watch.stderr)
        let lines = watch.stderr.split(separator: "\n").map(String.init)
        func count(_ text: String) -> Int { lines.filter { $0.contains(text) }.count }
        XCTAssertEqual(count("alert opened: db-1 failed over"), 1, watch.stderr)
        XCTAssertEqual(count("by=alice") , 2, "acknowledged and resolved, each with who:\n\(watch.stderr)")
        XCTAssertEqual(count("] alert acknowledged"), 1, watch.stderr)
        XCTAssertEqual(count("] alert resolved"), 1, watch.stderr)
        XCTAssertEqual(count("channel=out [Alerting] page delivered"), 1, watch.stderr)
        XCTAssertEqual(count("503"), 1, "the pager's failure is said once:\n\(watch.stderr)")
        XCTAssertTrue(lines.contains { $0.contains("channel=pager") && $0.contains("page failed") }, watch.stderr)
    }

    func testSendSaysAFailureOnceInItsOwnWords() async throws {
        let server = try await FakeHTTPServer(script: [.init(status: .serviceUnavailable, body: "down")])
        defer { Task { await server.stop() } }
        let sent = try await NotifyProcess.run(["send", "--kind", "failover", "--summary", "db-1 failed over", "--config", try config(server)],
                                               environment: ["NOTIFY_STATE": temporaryStatePath()])
        XCTAssertEqual(sent.status, 75, sent.stderr)
        XCTAssertEqual(sent.stderr.components(separatedBy: "503").count - 1, 1, sent.stderr)
        XCTAssertTrue(sent.stderr.contains("notify: pager: not delivered, can be retried (2 attempts)"), sent.stderr)
        XCTAssertFalse(sent.stderr.contains("[Alerting]"), "send prints what it did itself:\n\(sent.stderr)")
    }
}
