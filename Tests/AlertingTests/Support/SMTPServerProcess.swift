import Foundation
import XCTest

/// A real SMTP server on 127.0.0.1 for a test: `smtp/smtp-server.py` (aiosmtpd) with STARTTLS
/// or implicit TLS, AUTH for `notify` / `s3cret-pass`, and the test certificate. Each message
/// it accepts is kept. Stopped by closing its standard input.
final class SMTPServerProcess: @unchecked Sendable {
    struct Received: Decodable {
        var from: String
        var to: [String]
        var tls: Bool
        var auth: Bool
        var data: String
    }

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("smtp")
    static var certificate: String { folder.appendingPathComponent("test-cert.pem").path }
    static let user = "notify"
    static let password = "s3cret-pass"

    private let process = Process()
    private let input = Pipe()
    private let lines = LockedState<[String]>([])
    let port: Int

    /// The Python with aiosmtpd: `NOTIFY_TEST_PYTHON`, else Debian's (`python3-aiosmtpd`).
    static var python: String { ProcessInfo.processInfo.environment["NOTIFY_TEST_PYTHON"] ?? "/usr/bin/python3" }

    /// Whether aiosmtpd can run here. CI installs it and sets NOTIFY_REQUIRE_SMTP=1, which makes
    /// its absence a failure rather than a skip.
    static func available() throws -> Bool {
        let check = Process()
        check.executableURL = URL(fileURLWithPath: python)
        check.arguments = ["-c", "import aiosmtpd"]
        check.standardError = FileHandle.nullDevice
        let runs = FileManager.default.isExecutableFile(atPath: python) && ((try? check.run()) != nil) && { check.waitUntilExit(); return check.terminationStatus == 0 }()
        if !runs, ProcessInfo.processInfo.environment["NOTIFY_REQUIRE_SMTP"] == "1" {
            XCTFail("aiosmtpd is not available to \(python), and NOTIFY_REQUIRE_SMTP=1 (apt-get install python3-aiosmtpd)")
        }
        return runs
    }

    init(implicitTLS: Bool = false, reject: Int? = nil) async throws {
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = [Self.folder.appendingPathComponent("smtp-server.py").path, "--cert", Self.certificate,
                             "--key", Self.folder.appendingPathComponent("test-key.pem").path]
            + (implicitTLS ? ["--implicit-tls"] : []) + (reject.map { ["--reject", String($0)] } ?? [])
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let lines = self.lines
        let pending = LockedState("")
        output.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            guard !chunk.isEmpty else { handle.readabilityHandler = nil; return }
            pending.mutate { text in
                text += String(decoding: chunk, as: UTF8.self)
                while let newline = text.firstIndex(of: "\n") {
                    let line = String(text[..<newline])
                    text = String(text[text.index(after: newline)...])
                    lines.mutate { $0.append(line) }
                }
            }
        }
        try process.run()
        for _ in 0..<500 {
            if let line = lines.value.first(where: { $0.hasPrefix("PORT ") }), let port = Int(line.dropFirst(5)) {
                self.port = port
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        process.terminate()
        throw MissingValue()
    }

    var received: [Received] {
        lines.value.filter { $0.hasPrefix("{") }.compactMap { try? JSONDecoder().decode(Received.self, from: Data($0.utf8)) }
    }

    func waitForMessages(_ count: Int) async throws -> [Received] {
        for _ in 0..<500 {
            if received.count >= count { return received }
            try await Task.sleep(for: .milliseconds(10))
        }
        return received
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
