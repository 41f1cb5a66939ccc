import Foundation
import XCTest

/// A package that depends on the core product alone (Tests/CorePackage) builds without the
/// server, SQLite, YAML or PostgreSQL parts, and pages Slack with an escalation policy.
final class CorePackageTests: NotifyTestCase {
    func testTheCoreProductBuildsWithoutServerSQLiteYAMLOrPostgresAndPages() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let package = root.appendingPathComponent("CorePackage")
        // A build plan of an earlier run may name a source file since removed from notify
        // (SwiftPM does not plan a path dependency again by itself): plan afresh.
        for plan in [".build/debug.yaml", ".build/x86_64-unknown-linux-gnu/debug/description.json"] {
            try? FileManager.default.removeItem(at: package.appendingPathComponent(plan))
        }
        let build = try await run("/usr/bin/env", ["swift", "build", "--package-path", package.path, "--product", "PageSlack"])
        XCTAssertEqual(build.status, 0, build.output)
        let products = package.appendingPathComponent(".build/debug")
        // SwiftPM makes a folder for every target of the graph; only what it compiles has a module.
        let compiled = Set(try FileManager.default.contentsOfDirectory(atPath: products.appendingPathComponent("Modules").path)
            .filter { $0.hasSuffix(".swiftmodule") }.map { String($0.dropLast(".swiftmodule".count)) })
        for module in ["Alerting", "AsyncHTTPClient", "Mustache", "PageSlack"] {
            XCTAssertTrue(compiled.contains(module), "\(module) was built: \(compiled.sorted())")
        }
        for module in ["Hummingbird", "HummingbirdCore", "GRDB", "Yams", "PostgresNIO", "AlertingSQLite", "AlertingConfig", "AlertingServer",
                       "AlertingPostgres", "NotifyCLI", "Prometheus", "ArgumentParser"] {
            XCTAssertFalse(compiled.contains(module), "\(module) was compiled for a program that imports only Alerting")
        }

        let slack = try await FakeHTTPServer(script: [.slackOK])
        let page = try await run(products.appendingPathComponent("PageSlack").path, [],
                                 environment: ["SLACK_WEBHOOK_URL": slack.baseURL + "/services/T0/B0/SECRET", "SECOND_STEP_AFTER": "0.2"])
        XCTAssertEqual(page.status, 0, page.output)
        XCTAssertTrue(page.output.contains("alert #1: step 1 delivered"), page.output)
        XCTAssertTrue(page.output.contains("step 2 delivered"), page.output)
        XCTAssertEqual(slack.requests.count, 2, "step 1, then step 2 when nobody acknowledged")
        await slack.stop()
    }

    private func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: output.fileHandleForReading.readDataToEndOfFile()) }
        }
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
