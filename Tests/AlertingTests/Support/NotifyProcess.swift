import Foundation
import XCTest

/// Runs the real `notify` binary that `swift build` put beside the test bundle.
enum NotifyProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var binary: URL { binary(named: "notify") }

    /// An executable of this package (`notify`, `custom-notify`) as `swift build` built it.
    /// `NOTIFY_TEST_BINARY` runs the tests against another build of `notify` (an older one, to
    /// see a test fail before its fix).
    static func binary(named name: String) -> URL {
        if name == "notify", let path = ProcessInfo.processInfo.environment["NOTIFY_TEST_BINARY"] { return URL(fileURLWithPath: path) }
        // The test bundle runs from .build/<config>/; the executable is built beside it.
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: ".build/debug/\(name)")
    }

    /// - Parameter stdinFile: standard input from this file instead of `stdin` through a pipe
    ///   (a file is read in large gulps, to its end, before notify has looked at a line).
    static func run(_ arguments: [String], stdin: Data = Data(), stdinFile: String? = nil, environment: [String: String] = [:],
                    binary: URL = binary) async throws -> Result {
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            XCTFail("\(binary.lastPathComponent) binary not found at \(binary.path): run `swift build` before `swift test`")
            return Result(status: -1, stdout: "", stderr: "")
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_CONFIG"] = nil
        // Each run has a state file of its own unless the test shares one on purpose.
        env["NOTIFY_STATE"] = temporaryStatePath()
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let input = Pipe(), output = Pipe(), errors = Pipe()
        if let stdinFile { process.standardInput = FileHandle(forReadingAtPath: stdinFile) } else { process.standardInput = input }
        process.standardOutput = output
        process.standardError = errors
        let terminated = LockedState<CheckedContinuation<Void, Never>?>(nil)
        let finished = LockedState(false)
        process.terminationHandler = { _ in
            terminated.mutate { continuation in
                finished.value = true
                continuation?.resume()
                continuation = nil
            }
        }
        try process.run()
        // Read both pipes on their own threads so a full pipe never blocks the child.
        async let out = readAll(output.fileHandleForReading)
        async let err = readAll(errors.fileHandleForReading)
        let writer = input.fileHandleForWriting
        DispatchQueue.global().async {
            // A process that stops reading early (an error mid-stream) closes the pipe: fine.
            try? writer.write(contentsOf: stdin)
            try? writer.close()
        }
        await withCheckedContinuation { continuation in
            terminated.mutate { stored in
                if finished.value { continuation.resume() } else { stored = continuation }
            }
        }
        return Result(status: process.terminationStatus, stdout: await out, stderr: await err)
    }

    private static func readAll(_ handle: FileHandle) async -> String {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let data = handle.readDataToEndOfFile()
                continuation.resume(returning: String(decoding: data, as: UTF8.self))
            }
        }
    }
}

/// Writes a config file for a test and removes it afterwards.
func writeTemporaryConfig(_ yaml: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("notify-test-\(UUID().uuidString).yaml").path
    try yaml.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// A path for a state file no other test uses.
func temporaryStatePath() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("notify-state-\(UUID().uuidString).db").path
}
