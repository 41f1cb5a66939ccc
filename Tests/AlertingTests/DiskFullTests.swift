import AsyncHTTPClient
import Foundation
import NIOCore
import XCTest

/// The state's file system fills up (#19): `watch`, `send` and `serve` say so, name the state,
/// never die of a signal, and once space returns nothing they recorded is lost. A real tmpfs,
/// mounted small and grown again (root only: CI runs as root and sets NOTIFY_REQUIRE_TMPFS).
final class DiskFullTests: NotifyTestCase {
    /// A tmpfs of `kilobytes`, mounted for the test.
    private struct SmallFileSystem {
        let path: String

        static func mount(kilobytes: Int) throws -> SmallFileSystem {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("notify-full-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            guard run(["mount", "-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", path]) else {
                let message = "cannot mount a tmpfs (needs root): the full-disk tests did not run"
                if ProcessInfo.processInfo.environment["NOTIFY_REQUIRE_TMPFS"] == "1" { throw NSError(domain: message, code: 1) }
                throw XCTSkip(message)
            }
            return SmallFileSystem(path: path)
        }

        /// Space returns.
        func grow() { _ = Self.run(["mount", "-o", "remount,size=64m", path]) }

        func unmount() { _ = Self.run(["umount", path]) }

        var state: String { path + "/state.db" }

        @discardableResult
        private static func run(_ arguments: [String]) -> Bool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { return false }
            process.waitUntilExit()
            return process.terminationStatus == 0
        }
    }

    /// Events whose summaries fill a small disk quickly.
    private func failover(_ index: Int) -> String {
        #"{"kind":"failover","source":"db-\#(index)","summary":"db-\#(index) failed over \#(String(repeating: "x", count: 400))"}"#
    }

    private func webhookConfig(_ server: FakeHTTPServer, extra: String = "") throws -> String {
        try writeTemporaryConfig("""
            delivery: {timeout: 2s, max_attempts: 2, initial_backoff: 50ms}
            channels:
              hook: {type: webhook, url: "\(server.baseURL)/hook"}
            routes: [{notify: [hook]}]
            \(extra)
            """)
    }

    private func pagedIDs(_ server: FakeHTTPServer) -> Set<Int> {
        Set(server.requests.compactMap { ($0.json?["alert"] as? [String: Any])?["id"] as? Int })
    }

    private func recordedAlerts(_ state: String, config: String) async throws -> Int {
        let list = try await NotifyProcess.run(["list", "--config", config, "--state", state, "--output", "json"])
        return ((try? JSONSerialization.jsonObject(with: Data(list.stdout.utf8))) as? [Any])?.count ?? -1
    }

    func testWatchOnAFullDiskExits74NamingTheStateAndLosesNothingItRecorded() async throws {
        let disk = try SmallFileSystem.mount(kilobytes: 2500)
        defer { disk.unmount() }
        let server = try await FakeHTTPServer()
        let config = try webhookConfig(server)
        // From a file, as `notify watch < events.ndjson` reads it: the whole input is read
        // before the disk fills (what made the reader trap, SIGILL, before #19).
        let stream = FileManager.default.temporaryDirectory.appendingPathComponent("notify-\(UUID().uuidString).ndjson").path
        try ((0..<2200).map(failover).joined(separator: "\n") + "\n").write(toFile: stream, atomically: true, encoding: .utf8)
        let result = try await NotifyProcess.run(["watch", "--config", config, "--state", disk.state], stdinFile: stream)
        XCTAssertEqual(result.status, 74, "an I/O error, not a signal: \(result.stderr.suffix(500))")
        XCTAssertTrue(result.stderr.contains("state \(disk.state):"), "the error names the state: \(result.stderr.suffix(500))")
        XCTAssertTrue(result.stderr.contains("disk is full"), result.stderr.suffix(500).description)

        disk.grow()
        let recorded = try await recordedAlerts(disk.state, config: config)
        XCTAssertGreaterThan(recorded, 0, "some alerts were recorded before the disk filled")
        XCTAssertLessThan(recorded, 2200, "the disk filled before the end")
        guard recorded > 0 else { return }
        let next = try await NotifyProcess.run(["tick", "--config", config, "--state", disk.state])
        XCTAssertEqual(next.status, 0, next.stderr)
        XCTAssertEqual(pagedIDs(server), Set(1...recorded), "every alert it recorded was paged, once space returned")
        await server.stop()
    }

    func testSendOnAFullDiskStillPagesAndExits74NamingTheState() async throws {
        let disk = try SmallFileSystem.mount(kilobytes: 1500)
        defer { disk.unmount() }
        let server = try await FakeHTTPServer()
        let config = try webhookConfig(server)
        // Fill it: watch records what fits.
        _ = try await NotifyProcess.run(["watch", "--config", config, "--state", disk.state], stdin: Data(((0..<2200).map(failover).joined(separator: "\n") + "\n").utf8))
        let before = server.requests.count
        let result = try await NotifyProcess.run(["send", "--config", config, "--state", disk.state, "--kind", "failover", "--source", "db-main",
                                                  "--summary", "db-main failed over"])
        XCTAssertEqual(result.status, 74, result.stderr)
        XCTAssertTrue(result.stderr.contains(disk.state), "the error names the state: \(result.stderr)")
        XCTAssertTrue(server.requests.dropFirst(before).contains { $0.body.contains("db-main failed over") }, "the page went out all the same")
        await server.stop()
    }

    func testServeOnAFullDiskAnswers5xxForWhatItCouldNotRecordAndRecoversWhenSpaceReturns() async throws {
        let disk = try SmallFileSystem.mount(kilobytes: 1500)
        defer { disk.unmount() }
        let server = try await FakeHTTPServer()
        let config = try webhookConfig(server, extra: #"server: {listen: "127.0.0.1:0", auth: none}"#)
        let serve = try await ServeProcess.start(["--config", config], state: disk.state)
        defer { serve.process.terminate() }
        var accepted: [Int] = []
        var refused = 0
        for index in 0..<2200 where refused < 20 {
            var request = HTTPClientRequest(url: "\(serve.baseURL)/v1/events")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: failover(index)))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 1 << 20)
            if response.status.code == 202 { accepted.append(index) } else {
                XCTAssertGreaterThanOrEqual(response.status.code, 500, "an event not recorded is a 5xx, so the sender retries it")
                refused += 1
            }
        }
        XCTAssertEqual(refused, 20, "the disk filled")
        XCTAssertTrue(serve.process.isRunning, "serve keeps running: \(serve.stderr.value.suffix(500))")

        disk.grow()
        var request = HTTPClientRequest(url: "\(serve.baseURL)/v1/events")
        request.method = .POST
        request.body = .bytes(ByteBuffer(string: failover(5000)))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        XCTAssertEqual(response.status.code, 202, "space returned: events are taken again")
        try await waitFor("every accepted event paged", timeout: 30) { pagedIDs(server).count >= accepted.count + 1 }
        XCTAssertEqual(pagedIDs(server).count, accepted.count + 1, "each accepted alert paged once space returned, none lost")
        kill(serve.process.processIdentifier, SIGTERM)
        serve.process.waitUntilExit()
        XCTAssertEqual(serve.process.terminationReason, .exit, "no signal: \(serve.stderr.value.suffix(500))")
        await server.stop()
    }

    /// `notify daemon` while the disk fills under it: it keeps running (no signal), and the
    /// step that came due meanwhile goes out once space returns.
    func testDaemonOnAFullDiskKeepsRunningAndCatchesUpWhenSpaceReturns() async throws {
        let disk = try SmallFileSystem.mount(kilobytes: 4096)
        defer { disk.unmount() }
        let server = try await FakeHTTPServer()
        let config = try writeTemporaryConfig("""
            delivery: {timeout: 2s, max_attempts: 2, initial_backoff: 50ms}
            channels:
              hook: {type: webhook, url: "\(server.baseURL)/hook"}
            policies:
              two-steps: {steps: [{after: 0s, notify: [hook]}, {after: 3s, notify: [hook]}]}
            routes: [{policy: two-steps}]
            """)
        let sent = try await NotifyProcess.run(["send", "--config", config, "--state", disk.state, "--kind", "failover", "--summary", "db failed over"])
        XCTAssertEqual(sent.status, 0, sent.stderr)
        XCTAssertEqual(server.requests.count, 1, "the first step")
        let daemon = Process()
        daemon.executableURL = NotifyProcess.binary
        daemon.arguments = ["daemon", "--config", config, "--state", disk.state]
        daemon.standardOutput = FileHandle.nullDevice
        daemon.standardError = FileHandle.nullDevice
        try daemon.run()
        defer { if daemon.isRunning { daemon.terminate() } }
        try await Task.sleep(for: .seconds(1))   // up and running (a daemon that cannot open its state exits 74)
        XCTAssertTrue(daemon.isRunning)
        // Fill what is left of the disk.
        let filler = disk.path + "/filler"
        FileManager.default.createFile(atPath: filler, contents: nil)
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: filler))
        let chunk = Data(count: 64 * 1024)
        while (try? handle.write(contentsOf: chunk)) != nil {}
        try? handle.close()
        try await Task.sleep(for: .seconds(5))   // the second step comes due on a full disk
        XCTAssertTrue(daemon.isRunning, "the daemon keeps running on a full disk")
        try FileManager.default.removeItem(atPath: filler)
        try await waitFor("the second step once space returned", timeout: 30) { server.requests.count >= 2 }
        kill(daemon.processIdentifier, SIGTERM)
        daemon.waitUntilExit()
        XCTAssertEqual(daemon.terminationReason, .exit, "no signal")
        await server.stop()
    }

}
