@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import AsyncHTTPClient
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import XCTest

/// The `notify serve` binary: started for real, fed over HTTP (by this test, and by a real
/// Alertmanager when one is installed), stopped with SIGTERM.
final class ServeProcessTests: NotifyTestCase {
    typealias Running = ServeProcess

    private func config(slack: FakeHTTPServer, server: String = "server: {listen: \"127.0.0.1:0\", token: t0ken}") throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("notify-serve-\(UUID().uuidString).yaml").path
        try """
            channels:
              ops-slack: {type: slack, webhook_url: "\(slack.baseURL)/hooks/T1/B1/x"}
            routes:
              - notify: [ops-slack]
                notify_on_resolve: true
            \(server)
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func startServe(_ arguments: [String], state: String, softFileLimit: Int? = nil) async throws -> Running {
        try await ServeProcess.start(arguments, state: state, softFileLimit: softFileLimit)
    }

    private func post(_ url: String, _ body: String, headers: [String: String] = [:]) async throws -> UInt {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 20)
        return response.status.code
    }

    /// How many of `count` requests for `/healthz` were answered 200 within 2 s each.
    private func healthzAnswers(port: Int, of count: Int) async -> Int {
        var answered = 0
        for _ in 0..<count {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz")
            request.method = .GET
            if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(2)), response.status.code == 200 { answered += 1 }
        }
        return answered
    }

    func testServePagesAtOnceAndStopsOnSIGTERM() async throws {
        let slack = try await FakeHTTPServer()
        let serve = try await startServe(["--config", try config(slack: slack)], state: temporaryStatePath())
        let status = try await post("http://127.0.0.1:\(serve.port)/v1/events", #"{"kind":"failover","environment":"prod","source":"db-1","summary":"db-1 failed over"}"#,
                                    headers: ["Authorization": "Bearer t0ken"])
        XCTAssertEqual(status, 202)
        try await waitFor("the Slack message", timeout: 5) { !slack.requests.isEmpty }
        kill(serve.process.processIdentifier, SIGTERM)
        let stopped = Date()
        serve.process.waitUntilExit()
        XCTAssertEqual(serve.process.terminationReason, .exit)
        XCTAssertEqual(serve.process.terminationStatus, 0, serve.stderr.value)
        XCTAssertLessThan(Date().timeIntervalSince(stopped), 5)
        XCTAssertFalse(serve.stderr.value.contains("t0ken"))
        XCTAssertFalse(serve.stderr.value.contains("hooks/T1"))
        await slack.stop()
    }

    func testAuthNoneOnAPublicAddressIsAConfigError() async throws {
        let slack = try await FakeHTTPServer()
        let path = try config(slack: slack, server: "server: {listen: \"127.0.0.1:0\", auth: none}")
        let result = try await NotifyProcess.run(["serve", "--config", path, "--listen", "0.0.0.0:0"])
        XCTAssertEqual(result.status, 78, result.stderr)
        XCTAssertTrue(result.stderr.contains("loopback"), result.stderr)
        await slack.stop()
    }

    func testTheExamplesPlaceholderTokenOnAPublicAddressIsAConfigError() async throws {
        let slack = try await FakeHTTPServer()
        let path = try config(slack: slack, server: "server: {listen: \"127.0.0.1:0\", token: \"${NOTIFY_SERVER_TOKEN:-change-me}\"}")
        let result = try await NotifyProcess.run(["serve", "--config", path, "--listen", "0.0.0.0:0"])
        XCTAssertEqual(result.status, 78, result.stderr)
        XCTAssertTrue(result.stderr.contains("server.token: an example's placeholder token is only allowed on a loopback address"), result.stderr)
        XCTAssertFalse(result.stderr.contains("change-me"), "the token is not echoed")
        await slack.stop()
    }

    func testAnAddressInUseIsSaidInWordsWithItsOwnExitCode() async throws {
        let slack = try await FakeHTTPServer()
        let result = try await NotifyProcess.run(["serve", "--config", try config(slack: slack), "--listen", "127.0.0.1:\(slack.port)"])
        XCTAssertEqual(result.status, 71, result.stderr)
        XCTAssertTrue(result.stderr.contains("cannot listen on 127.0.0.1:\(slack.port): address already in use"), result.stderr)
        XCTAssertFalse(result.stderr.contains("errno"), result.stderr)
        await slack.stop()
    }

    /// Debian's `prometheus-alertmanager` (installed by .ci/run) posting to `notify serve`: a
    /// firing then resolved alert reaches Slack and resolves the notify alert.
    func testRealAlertmanager() async throws {
        let binary = "/usr/bin/prometheus-alertmanager"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: binary), "prometheus-alertmanager is not installed")
        let slack = try await FakeHTTPServer()
        let state = temporaryStatePath()
        let serve = try await startServe(["--config", try config(slack: slack)], state: state)
        defer { serve.process.terminate() }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alertmanager-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let amConfig = directory.appendingPathComponent("alertmanager.yml")
        try """
            route:
              receiver: notify
              group_by: [alertname]
              group_wait: 1s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
              - name: notify
                webhook_configs:
                  - url: http://127.0.0.1:\(serve.port)/v1/alertmanager
                    send_resolved: true
                    http_config:
                      authorization: {credentials: t0ken}
            """.write(to: amConfig, atomically: true, encoding: .utf8)
        let amPort = try freePort()
        let alertmanager = Process()
        alertmanager.executableURL = URL(fileURLWithPath: binary)
        alertmanager.arguments = ["--config.file=\(amConfig.path)", "--storage.path=\(directory.path)",
                                  "--web.listen-address=127.0.0.1:\(amPort)", "--cluster.listen-address="]
        alertmanager.standardOutput = FileHandle.nullDevice
        alertmanager.standardError = FileHandle.nullDevice
        try alertmanager.run()
        defer { alertmanager.terminate() }
        let api = "http://127.0.0.1:\(amPort)/api/v2/alerts"
        let labels = #"{"alertname":"DatabaseFailover","env":"prod","severity":"critical","instance":"db1:9100"}"#
        try await waitFor("Alertmanager to take alerts") {
            (try? await post(api, #"[{"labels":\#(labels),"annotations":{"summary":"db1 failed over to db2"}}]"#)) == 200
        }
        try await waitFor("Alertmanager's firing notification to reach Slack through notify") { !slack.requests.isEmpty }
        XCTAssertTrue(slack.requests[0].body.contains("db1 failed over to db2"), slack.requests[0].body)

        let now = Date().formatted(Date.ISO8601FormatStyle())
        let status = try await post(api, #"[{"labels":\#(labels),"annotations":{"summary":"db1 failed over to db2"},"endsAt":"\#(now)"}]"#)
        XCTAssertEqual(status, 200)
        let store = try SQLiteAlertStore(path: state)
        try await waitFor("the notify alert to resolve") {
            try await store.alerts(statuses: [.resolved]).count == 1
        }
        let resolved = try await store.alerts(statuses: [.resolved])
        XCTAssertEqual(resolved.first?.kind.rawValue, "database_failover")
        XCTAssertEqual(resolved.first?.environment, "prod")
        try await waitFor("the resolve notice in Slack") { slack.requests.count >= 2 }
        await slack.stop()
    }

    /// #18: 1,100 connections that connect and send nothing, against a process started with a
    /// soft limit of 1,024 open files: /healthz keeps answering, and the idle ones are closed.
    func testServeKeepsAnsweringUnderManyIdleConnectionsAndClosesThem() async throws {
        let slack = try await FakeHTTPServer()
        let config = try config(slack: slack, server: "server: {listen: \"127.0.0.1:0\", auth: none, idle_timeout: 2s}")
        let serve = try await startServe(["--config", config], state: temporaryStatePath(), softFileLimit: 1024)
        defer { serve.process.terminate() }
        var ourLimit = rlimit()
        _ = getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &ourLimit)
        ourLimit.rlim_cur = max(ourLimit.rlim_cur, min(ourLimit.rlim_max, 4096))
        _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &ourLimit)
        var sockets: [Int32] = []
        defer { sockets.forEach { close($0) } }
        for _ in 0..<1100 {
            guard let fd = openConnection(port: serve.port, nonBlocking: true) else { break }
            sockets.append(fd)
            // In batches the listen backlog (256) can take, so the server holds them all.
            if sockets.count % 100 == 0 { try await Task.sleep(for: .milliseconds(50)) }
        }
        XCTAssertEqual(sockets.count, 1100)
        try await Task.sleep(for: .milliseconds(500))
        let answered = await healthzAnswers(port: serve.port, of: 10)
        XCTAssertEqual(answered, 10, "/healthz under 1,100 idle connections: \(serve.stderr.value.suffix(400))")
        // Past the idle timeout the server closes them (EOF, or a reset): none stays open.
        var buffer = [UInt8](repeating: 0, count: 16)
        var open = sockets
        let deadline = ContinuousClock.now + .seconds(8)
        while !open.isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(250))
            open = open.filter { read($0, &buffer, buffer.count) < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) }
        }
        // Sockets whose handshake the kernel is still retrying (the listen backlog overflowed)
        // are not connections the server holds.
        open = open.filter { fd in
            var peer = sockaddr()
            var length = socklen_t(MemoryLayout<sockaddr>.size)
            return getpeername(fd, &peer, &length) == 0
        }
        XCTAssertEqual(open.count, 0, "idle connections still open after the idle timeout")
        await slack.stop()
    }

    /// `max_connections`: beyond it a new connection may only ask `/healthz`; idle ones and
    /// other requests are closed at once, and the server keeps its descriptors (#19).
    func testBeyondMaxConnectionsOnlyHealthzIsAnsweredAndIdleConnectionsAreClosed() async throws {
        let slack = try await FakeHTTPServer()
        let config = try config(slack: slack, server: "server: {listen: \"127.0.0.1:0\", auth: none, max_connections: 50}")
        let serve = try await startServe(["--config", config], state: temporaryStatePath())
        defer { serve.process.terminate() }
        func connect() -> Int32 {
            let fd = openConnection(port: serve.port) ?? -1
            var timeout = timeval(tv_sec: 3, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            return fd
        }
        var idle: [Int32] = []
        defer { idle.forEach { close($0) } }
        for _ in 0..<200 { idle.append(connect()) }
        try await Task.sleep(for: .milliseconds(300))
        let answered = await healthzAnswers(port: serve.port, of: 10)
        XCTAssertEqual(answered, 10, "/healthz beyond the limit: \(serve.stderr.value.suffix(400))")
        // An event on a new connection beyond the limit: closed without an answer.
        let refused = connect()
        let post = "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
        _ = post.withCString { write(refused, $0, strlen($0)) }
        var buffer = [UInt8](repeating: 0, count: 64)
        XCTAssertLessThanOrEqual(read(refused, &buffer, buffer.count), 0, "refused: no answer")
        close(refused)
        // The idle connections beyond the limit are closed within the grace; 50 stay.
        try await Task.sleep(for: .seconds(1))
        let closedByServer = idle.filter { fd in
            var flags = fcntl(fd, F_GETFL)
            flags |= O_NONBLOCK
            _ = fcntl(fd, F_SETFL, flags)
            return read(fd, &buffer, buffer.count) >= 0 || errno == ECONNRESET
        }.count
        XCTAssertGreaterThanOrEqual(closedByServer, 150, "the connections beyond 50 are closed")
        XCTAssertLessThanOrEqual(closedByServer, 150 + 10, "those within the limit stay open")
        await slack.stop()
    }

}
