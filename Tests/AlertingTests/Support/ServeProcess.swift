import Foundation
#if canImport(Glibc)
import Glibc
#endif
import XCTest

/// A `notify serve` process started from the built binary, with the port it listens on and
/// what it wrote to standard error.
struct ServeProcess {
    var process: Process
    var port: Int
    var stderr: LockedState<String>

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// - Parameter softFileLimit: start it under this soft limit on open files (`ulimit -Sn`).
    static func start(_ arguments: [String], state: String, softFileLimit: Int? = nil, environment: [String: String] = [:]) async throws -> ServeProcess {
        let process = Process()
        if let softFileLimit {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -Sn \(softFileLimit) && exec \"$0\" \"$@\"", NotifyProcess.binary.path, "serve"] + arguments
        } else {
            process.executableURL = NotifyProcess.binary
            process.arguments = ["serve"] + arguments
        }
        process.environment = ProcessInfo.processInfo.environment.merging(["NOTIFY_STATE": state]) { $1 }.merging(environment) { $1 }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        let text = LockedState("")
        errors.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            text.mutate { $0 += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, process.isRunning {
            if let range = text.value.range(of: #"listening on http://127\.0\.0\.1:\d+"#, options: .regularExpression),
               let port = Int(text.value[range].split(separator: ":").last ?? "") {
                return ServeProcess(process: process, port: port, stderr: text)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.terminate()
        throw NSError(domain: "serve did not start: \(text.value)", code: 1)
    }
}

/// Waits until `condition` holds, polling; fails the test after `timeout` seconds.
func waitFor(_ what: String, timeout: TimeInterval = 20, _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    XCTFail("timed out waiting for \(what)")
}
