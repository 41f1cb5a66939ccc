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

/// Several `notify serve` binaries on one PostgreSQL database, behind loopback fakes: a storm
/// posted to both, one killed with SIGKILL in the middle, an acknowledgement taken by one
/// stopping what the other would send, and the database restarted under a stream of events.
final class HighAvailabilityProcessTests: NotifyTestCase {
    private let bearer = ["Authorization": "Bearer t0ken"]
    /// Deliveries in flight per instance: with the claim-ahead, the bound on what a kill can send twice.
    private let maxConcurrent = 16
    /// A sender's client: a refused connection (a dead instance) fails at once, as a sender
    /// that moves on to the next instance needs, instead of being retried until the timeout.
    private static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    private func databaseURL() throws -> String {
        guard let url = try TestStores.postgresURL else { throw XCTSkip("no PostgreSQL (set NOTIFY_TEST_POSTGRES; scripts/postgres-for-tests)") }
        return try TestStores.postgresURL(url, schema: TestStores.freshSchema())
    }

    /// Storm alerts (health checks) page once; failovers page, then escalate after 4 s.
    private func config(pager: FakeHTTPServer) throws -> String {
        try writeTemporaryConfig("""
            channels:
              pager: {type: webhook, url: "\(pager.baseURL)/page"}
              second: {type: webhook, url: "\(pager.baseURL)/second"}
            policies:
              escalate:
                steps:
                  - after: 0s
                    notify: [pager]
                  - after: 4s
                    notify: [second]
            routes:
              - name: failover
                match: {kind: failover}
                policy: escalate
              - name: storm
                notify: [pager]
            delivery: {max_concurrent: \(maxConcurrent), lease: 3s}
            server: {listen: "127.0.0.1:0", token: t0ken}
            """)
    }

    private func post(_ serve: ServeProcess, _ body: String, path: String = "/v1/events") async -> UInt? {
        var request = HTTPClientRequest(url: serve.baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        for (name, value) in bearer { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        guard let response = try? await Self.client.execute(request, timeout: .seconds(15)) else { return nil }
        _ = try? await response.body.collect(upTo: 1 << 20)
        return response.status.code
    }

    private func get(_ serve: ServeProcess, _ path: String) async -> UInt? {
        let request = HTTPClientRequest(url: serve.baseURL + path)
        guard let response = try? await Self.client.execute(request, timeout: .seconds(15)) else { return nil }
        _ = try? await response.body.collect(upTo: 1 << 20)
        return response.status.code
    }

    private static func stormEvents(_ range: Range<Int>) -> String {
        "[" + range.map { #"{"kind":"health_check_failure","environment":"prod","source":"host-\#($0)","summary":"storm host-\#($0) down","dedup_key":"storm-\#($0)"}"# }
            .joined(separator: ",") + "]"
    }

    /// The storm alert numbers each request to `path` was about.
    private static func pagedHosts(_ pager: FakeHTTPServer, path: String = "/page") -> [Int] {
        pager.requests.filter { $0.path == path }.compactMap { request in
            request.body.range(of: #"storm host-\d+"#, options: .regularExpression).flatMap { Int(request.body[$0].dropFirst("storm host-".count)) }
        }
    }

    func testAStormSurvivesTheKillOfOneInstanceAndAnAckThroughOneStopsTheOther() async throws {
        let state = try databaseURL()
        // Each page takes 20 ms at the provider: deliveries are in flight when the kill comes.
        let pager = try await FakeHTTPServer(script: [.init(status: .ok, body: "ok", delay: .milliseconds(20))])
        let configPath = try config(pager: pager)
        let a = try await ServeProcess.start(["--config", configPath], state: state)
        let b = try await ServeProcess.start(["--config", configPath], state: state)
        defer { [a, b].forEach { if $0.process.isRunning { $0.process.terminate() } } }

        // An acknowledgement through B stops the step A would run; an alert nobody acknowledges
        // shows that the step would have run.
        let opened = await post(a, #"[{"kind":"failover","environment":"prod","source":"db-1","summary":"db-1 failed over","dedup_key":"ack-me"},{"kind":"failover","environment":"prod","source":"db-2","summary":"db-2 failed over","dedup_key":"nobody-acks"}]"#)
        XCTAssertEqual(opened, 202)
        try await waitFor("both first pages", timeout: 10) { pager.requests.filter { $0.path == "/page" }.count >= 2 }
        let acknowledged = await post(b, #"{"action":"acknowledge","dedup_key":"ack-me","note":"on it"}"#)
        XCTAssertEqual(acknowledged, 202)

        // The storm: 2,000 alerts, in batches of 50, to A and B in turn; A is killed half-way
        // and what it did not accept goes to B, as a sender retries.
        let total = 2000
        var killed = false
        for (index, batch) in stride(from: 0, to: total, by: 50).enumerated() {
            let events = Self.stormEvents(batch..<batch + 50)
            if index == total / 100, !killed {
                kill(a.process.processIdentifier, SIGKILL)
                killed = true
            }
            let first = index.isMultiple(of: 2) ? a : b
            if await post(first, events) != 202 {
                let retried = await post(b, events)
                XCTAssertEqual(retried, 202, "batch \(index) through B")
            }
        }
        a.process.waitUntilExit()
        XCTAssertEqual(a.process.terminationReason, .uncaughtSignal)

        try await waitFor("every storm alert's first page", timeout: 120) { Set(Self.pagedHosts(pager)).count == total }
        let paged = Self.pagedHosts(pager)
        XCTAssertEqual(Set(paged), Set(0..<total), "every alert's first page was delivered")
        let duplicates = paged.count - Set(paged).count
        // Started and not recorded at the kill: at most the pager channel's slots (a slot frees
        // when its outcome is recorded; nothing is claimed ahead).
        let bound = maxConcurrent
        XCTAssertLessThanOrEqual(duplicates, bound, "only pages in flight at the kill may go out twice")
        print("HA storm: \(total) alerts, \(paged.count) pages, \(duplicates) duplicates (bound \(bound))")

        // The failover steps fell due (4 s) meanwhile: the acknowledged alert's did not fire.
        try await waitFor("the unacknowledged alert's second step", timeout: 30) {
            pager.requests.contains { $0.path == "/second" && $0.body.contains("db-2") }
        }
        XCTAssertFalse(pager.requests.contains { $0.path == "/second" && $0.body.contains("db-1") }, "acknowledged through B: no second step")

        kill(b.process.processIdentifier, SIGTERM)
        b.process.waitUntilExit()
        XCTAssertEqual(b.process.terminationStatus, 0, b.stderr.value)
        XCTAssertFalse((a.stderr.value + b.stderr.value).contains("t0ken"))
        await pager.stop()
    }

    /// 1,000 new alerts on a two-step policy fed to `notify watch` while two `notify daemon`s
    /// run on the same database (issue 22: 7 pages went out twice, and nothing had died). No
    /// process dies here, so no page may go out twice: every step of every alert exactly once.
    func testATwoStepStormWhileTwoDaemonsRunPagesEachStepExactlyOnce() async throws {
        let state = try databaseURL()
        let pager = try await FakeHTTPServer(script: [.init(status: .ok, body: "ok")])
        let configPath = try writeTemporaryConfig("""
            channels:
              pager: {type: webhook, url: "\(pager.baseURL)/page"}
              second: {type: webhook, url: "\(pager.baseURL)/second"}
            policies:
              twostep:
                steps:
                  - after: 0s
                    notify: [pager]
                  - after: 4s
                    notify: [second]
            routes: [{policy: twostep}]
            """)
        let migrated = try await NotifyProcess.run(["status", "--config", configPath], environment: ["NOTIFY_STATE": state])
        XCTAssertEqual(migrated.status, 0, migrated.stderr)
        let daemons = try (0..<2).map { _ in
            let daemon = Process()
            daemon.executableURL = NotifyProcess.binary
            daemon.arguments = ["daemon", "--config", configPath, "--log-level", "error"]
            daemon.environment = ProcessInfo.processInfo.environment.merging(["NOTIFY_STATE": state]) { $1 }
            daemon.standardInput = FileHandle.nullDevice
            daemon.standardOutput = FileHandle.nullDevice
            try daemon.run()
            return daemon
        }
        defer { daemons.forEach { if $0.isRunning { $0.terminate() } } }

        let total = 1000
        let stream = (0..<total).map { #"{"kind":"health_check_failure","environment":"prod","source":"host-\#($0)","summary":"storm host-\#($0) down","dedup_key":"storm-\#($0)"}"# }
        let watched = try await NotifyProcess.run(["watch", "--config", configPath, "--log-level", "error"], stdin: Data((stream.joined(separator: "\n") + "\n").utf8),
                                                  environment: ["NOTIFY_STATE": state])
        XCTAssertEqual(watched.status, 0, watched.stderr)
        try await waitFor("both steps of every alert", timeout: 120) {
            Set(Self.pagedHosts(pager)).count == total && Set(Self.pagedHosts(pager, path: "/second")).count == total
        }
        // Nothing left to send, and a moment for a late copy to arrive.
        try await waitFor("an empty outbox", timeout: 30) {
            let status = try await NotifyProcess.run(["status", "--config", configPath, "--output", "json"], environment: ["NOTIFY_STATE": state])
            return status.stdout.replacingOccurrences(of: " ", with: "").contains(#""pending_pages":0"#)
        }
        try await Task.sleep(for: .seconds(2))
        for path in ["/page", "/second"] {
            let paged = Self.pagedHosts(pager, path: path)
            XCTAssertEqual(Set(paged), Set(0..<total), "every alert's \(path) step")
            XCTAssertEqual(paged.count - Set(paged).count, 0, "\(path): no page twice")
            print("two-step storm, two daemons: \(path) \(paged.count) pages for \(total) alerts")
        }
        await pager.stop()
    }

    func testADatabaseRestartUnderAStreamLosesNothingAndAcceptsNothingUnrecorded() async throws {
        // A server of its own, so that restarting it disturbs no other test.
        let port = freePort()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("notify-restart-pg-\(UUID().uuidString.prefix(8))").path
        let server = PostgresServer(directory: directory, port: port)
        guard try TestStores.postgresURL != nil else { throw XCTSkip("no PostgreSQL (set NOTIFY_TEST_POSTGRES; scripts/postgres-for-tests)") }
        let url = try server.start()
        defer {
            try? server.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }
        let pager = try await FakeHTTPServer(script: [.init(status: .ok, body: "ok")])
        let serve = try await ServeProcess.start(["--config", try config(pager: pager)], state: url)
        defer { if serve.process.isRunning { serve.process.terminate() } }

        var accepted: Set<Int> = []
        var refused: [Int] = []
        var sawUnhealthy = false
        for n in 0..<150 {
            if n == 50 { try server.stop() }
            if n == 100 { _ = try server.start() }
            if await post(serve, Self.stormEvents(n..<n + 1)) == 202 { accepted.insert(n) } else { refused.append(n) }
            if (50..<100).contains(n), n.isMultiple(of: 10), await get(serve, "/healthz") == 503 { sawUnhealthy = true }
        }
        XCTAssertFalse(refused.isEmpty, "while the database was down, events were refused (503), not accepted")
        XCTAssertTrue(sawUnhealthy, "/healthz said so")
        // The sender retries what was refused, now that the database is back.
        for n in refused {
            var status: UInt?
            for _ in 0..<50 where status != 202 {
                status = await post(serve, Self.stormEvents(n..<n + 1))
                if status != 202 { try await Task.sleep(for: .milliseconds(200)) }
            }
            XCTAssertEqual(status, 202, "event \(n) accepted once the database is back")
        }
        try await waitFor("every alert's page", timeout: 60) { Set(Self.pagedHosts(pager)).count == 150 }
        XCTAssertEqual(Set(Self.pagedHosts(pager)), Set(0..<150), "nothing accepted was lost, nothing refused was dropped")
        let listed = try await NotifyProcess.run(["list", "--config", try config(pager: pager), "--status", "all"], environment: ["NOTIFY_STATE": url])
        XCTAssertEqual(listed.status, 0, listed.stderr)
        XCTAssertEqual(listed.stdout.split(separator: "\n").filter { $0.contains("storm host-") }.count, 150, "one alert per event, none twice")
        let health = await get(serve, "/healthz")
        XCTAssertEqual(health, 200, "healthy again by itself")
        await pager.stop()
    }
}

/// A PostgreSQL server of a test's own, through scripts/postgres-for-tests.
struct PostgresServer {
    var directory: String
    var port: Int

    private static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/postgres-for-tests").path
    }

    /// Starts it (the first time, creates it) and returns its URL.
    @discardableResult
    func start() throws -> String {
        try run([])
        return "postgres://notify@127.0.0.1:\(port)/postgres?sslmode=disable"
    }

    func stop() throws { try run(["stop"]) }

    /// Output goes to /dev/null, not a pipe: the server would inherit the pipe and hold it open.
    private func run(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Self.script] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["NOTIFY_PG_DIR": directory, "NOTIFY_PG_PORT": "\(port)"]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw NSError(domain: "postgres-for-tests \(arguments) exited \(process.terminationStatus)", code: 1) }
    }
}
