@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import Foundation
import XCTest

/// Errors name the thing in words a person at 3 a.m. reads (issue 12): never an errno, an
/// SQLite result code or a Foundation error-domain dump.
final class PlainWordsTests: NotifyTestCase {
    func testSocketErrorsAreNamedNotNumbered() {
        XCTAssertEqual(HTTPResponseClassifier.networkReason(errno: ECONNREFUSED), "connection refused")
        for code in [ECONNABORTED, EADDRNOTAVAIL, ENOBUFS, EPROTO] {
            let reason = HTTPResponseClassifier.networkReason(errno: code)
            XCTAssertFalse(reason.contains("errno") || reason.contains("\(code)"), reason)
            XCTAssertTrue(reason.hasPrefix("network error: "), reason)
        }
    }

    func testAStateFileNotifyCannotUseIsSaidInOneLine() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("notify-words-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let notADatabase = directory.appendingPathComponent("state.db").path
        try Data("not sqlite at all, a text file left here by mistake\n".utf8).write(to: URL(fileURLWithPath: notADatabase))

        for (state, expected) in [(directory.path, "is a directory, not a state file"), (notADatabase, "is not a notify state file (not an SQLite database)")] {
            let listed = try await NotifyProcess.run(["list", "--state", state])
            XCTAssertEqual(listed.status, 74, listed.stderr)
            XCTAssertEqual(listed.stderr, "notify: state file \(state): \(expected)\n")
        }
        let fresh = directory.appendingPathComponent("fresh.db").path
        let empty = try await NotifyProcess.run(["list", "--state", fresh])
        XCTAssertEqual(empty.status, 0, empty.stderr)
        XCTAssertEqual(empty.stderr, "notify: no open alerts in \(fresh)\n", "says where it looked")
    }
}
