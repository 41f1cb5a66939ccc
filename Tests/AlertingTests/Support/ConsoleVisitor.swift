@testable import Alerting
@testable import AlertingServer
import Foundation

/// A person at the web console over plain HTTP: keeps the cookies the server sets, signs in,
/// and posts forms with the CSRF token the last page carried.
final class ConsoleVisitor: @unchecked Sendable {
    let harness: ServerHarness
    let base: String
    var cookies: [String: String] = [:]
    /// The CSRF token in the last page's forms.
    var csrf: String?

    init(_ harness: ServerHarness, base: String = "/console") {
        self.harness = harness
        self.base = base
    }

    var cookieHeader: [String: String] {
        cookies.isEmpty ? [:] : ["Cookie": cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")]
    }

    @discardableResult
    func get(_ path: String, headers: [String: String] = [:]) async throws -> ServerHarness.Answer {
        let answer = try await harness.get(path, headers: cookieHeader.merging(headers) { _, new in new })
        keep(answer)
        return answer
    }

    @discardableResult
    func post(_ path: String, _ fields: [(String, String)], headers: [String: String] = [:]) async throws -> ServerHarness.Answer {
        let answer = try await harness.post(path, body: HTTPForm.encode(fields),
                                            headers: cookieHeader.merging(["Content-Type": "application/x-www-form-urlencoded"].merging(headers) { _, new in new }) { _, new in new })
        keep(answer)
        return answer
    }

    /// Posts a form of the console with the last page's CSRF token.
    @discardableResult
    func submit(_ path: String, _ fields: [(String, String)]) async throws -> ServerHarness.Answer {
        try await post(path, [("csrf", csrf ?? "")] + fields)
    }

    func signIn(_ name: String, _ password: String) async throws -> ServerHarness.Answer {
        try await get(base + "/login")
        return try await post(base + "/login", [("csrf", csrf ?? ""), ("next", base), ("name", name), ("password", password)])
    }

    private func keep(_ answer: ServerHarness.Answer) {
        for cookie in answer.setCookies {
            let pair = cookie.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { continue }
            let name = String(pair[0])
            if pair[1].isEmpty || cookie.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = String(pair[1]) }
        }
        if let range = answer.body.range(of: #"name="csrf" value="([^"]*)""#, options: .regularExpression) {
            let match = answer.body[range]
            csrf = String(match.dropFirst(#"name="csrf" value=""#.count).dropLast())
        }
    }
}
