import Foundation
import XCTest

/// SIGTERM while pages are still failing (#19): the process stops within the delivery timeout
/// plus a second, says with its exit code that pages are owed, and the next run sends them.
final class StoppingTests: NotifyTestCase {
    private func start(_ arguments: [String], state: String, stdin: Data) throws -> Process {
        let process = Process()
        process.executableURL = NotifyProcess.binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["NOTIFY_STATE": state]) { $1 }
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try input.fileHandleForWriting.write(contentsOf: stdin)
        try input.fileHandleForWriting.close()
        return process
    }

    /// `failing`: how the gateway answers while notify runs; then it recovers.
    private func assertStopsInTimeAndTheNextRunDelivers(_ command: [String], failing: FakeHTTPServer.Answer,
                                                        file: StaticString = #filePath, line: UInt = #line) async throws {
        let gateway = try await FakeHTTPServer(script: [failing])
        let state = temporaryStatePath()
        let config = try writeTemporaryConfig("""
            delivery: {timeout: 2s, max_attempts: 20, initial_backoff: 100ms, max_backoff: 500ms, max_concurrent: 4}
            channels:
              hook: {type: webhook, url: "\(gateway.baseURL)/hook"}
            routes: [{notify: [hook]}]
            """)
        let count = 20
        let lines = (0..<count).map { #"{"kind":"failover","source":"db-\#($0)","summary":"db-\#($0) failed over"}"# }.joined(separator: "\n") + "\n"
        let process = try start(command + ["--config", config], state: state, stdin: Data(lines.utf8))
        try await waitFor("the gateway is being tried") { gateway.requests.count >= 4 }
        kill(process.processIdentifier, SIGTERM)
        let signalled = ContinuousClock.now
        while process.isRunning, ContinuousClock.now - signalled < .seconds(10) { try await Task.sleep(for: .milliseconds(20)) }
        let took = ContinuousClock.now - signalled
        XCTAssertLessThanOrEqual(took, .seconds(3), "stopped within the 2 s timeout plus a second", file: file, line: line)
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit, file: file, line: line)
        XCTAssertEqual(process.terminationStatus, 75, "pages are owed", file: file, line: line)

        gateway.setScript([.init(status: .ok, body: "ok")])
        let before = gateway.requests.count
        let next = try await NotifyProcess.run(["tick", "--config", config], environment: ["NOTIFY_STATE": state])
        XCTAssertEqual(next.status, 0, next.stderr, file: file, line: line)
        let delivered = gateway.requests.dropFirst(before).compactMap { ($0.json?["alert"] as? [String: Any])?["id"] as? Int }
        XCTAssertEqual(Set(delivered), Set(1...count), "the next run sent every owed page at once", file: file, line: line)
        await gateway.stop()
    }

    func testWatchKeepRunningStopsOnSIGTERMUnderAFailingGateway() async throws {
        try await assertStopsInTimeAndTheNextRunDelivers(["watch", "--keep-running"], failing: .init(status: .internalServerError, body: "down"))
    }

    func testWatchStopsOnSIGTERMWhileTheGatewayHangs() async throws {
        try await assertStopsInTimeAndTheNextRunDelivers(["watch", "--keep-running"], failing: .init(status: .ok, body: "late", delay: .seconds(30)))
    }
}
