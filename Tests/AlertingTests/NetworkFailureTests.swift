import Foundation
import XCTest

/// The network failing in the ways it does: a refused connection (#12), a hung provider that
/// shares its host with a healthy one (#20). The real binary against loopback servers.
final class NetworkFailureTests: NotifyTestCase {
    func testARefusedConnectionFailsAtOnceAndSaysSo() async throws {
        let closed = try await FakeHTTPServer()
        await closed.stop()   // nothing listens on its port now
        let config = try writeTemporaryConfig("""
            delivery: {timeout: 10s, max_attempts: 3, initial_backoff: 10ms}
            channels:
              hook: {type: webhook, url: "\(closed.baseURL)/hook"}
            routes: [{notify: [hook]}]
            """)
        let started = ContinuousClock.now
        let result = try await NotifyProcess.run(["send", "--config", config, "--kind", "failover", "--summary", "db failed over"])
        let elapsed = ContinuousClock.now - started
        XCTAssertEqual(result.status, 75, result.stderr)
        XCTAssertTrue(result.stderr.contains("connection refused"), result.stderr)
        XCTAssertFalse(result.stderr.contains("errno"), result.stderr)
        XCTAssertTrue(result.stderr.contains("(3 attempts)"), "retried by the retry policy: \(result.stderr)")
        XCTAssertLessThan(elapsed, .seconds(3), "not the 10 s timeout")
    }

    func testAHungChannelDoesNotTimeOutOrDuplicatePagesOfAHealthyOneOnTheSameHost() async throws {
        let server = try await FakeHTTPServer(hangingPaths: ["/hung"])
        let config = try writeTemporaryConfig("""
            delivery: {timeout: 2s, max_attempts: 1, max_concurrent: 32}
            channels:
              hung: {type: webhook, url: "\(server.baseURL)/hung"}
              hook: {type: webhook, url: "\(server.baseURL)/hook"}
            routes: [{notify: [hung, hook]}]
            """)
        let alerts = 24
        let lines = (0..<alerts).map { #"{"kind":"failover","source":"db-\#($0)","summary":"db-\#($0) failed over"}"# }.joined(separator: "\n") + "\n"
        _ = try await NotifyProcess.run(["watch", "--config", config], stdin: Data(lines.utf8))
        await server.stop()
        let healthy = server.requests.filter { $0.path == "/hook" }.compactMap { ($0.json?["alert"] as? [String: Any])?["id"] as? Int }
        XCTAssertEqual(healthy.count, alerts, "every page of the healthy channel went out once, not timed out behind the hung ones")
        XCTAssertEqual(Set(healthy).count, healthy.count, "no duplicates")
    }
}
