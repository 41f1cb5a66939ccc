import AsyncHTTPClient
import Foundation
import NIOCore
import XCTest

/// A small W3C WebDriver client for Debian's chromium-driver: enough to sign in, click,
/// type, read text and take screenshots in a real (headless) Chromium.
final class WebDriver: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let process: Process
    private let client = HTTPClient.shared
    private let endpoint: String
    private var session = ""

    /// The driver and browser this machine has, or nil (the test then skips unless
    /// NOTIFY_REQUIRE_BROWSER is set, as in CI).
    static func available() -> (driver: String, browser: String)? {
        let driver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let browser = ["/usr/bin/chromium", "/usr/lib/chromium/chromium"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let driver, let browser else { return nil }
        return (driver, browser)
    }

    /// - Parameter phone: emulate a phone's screen (390 × 844) instead of a desktop window.
    init(driver: String, browser: String, width: Int = 1280, height: Int = 900, phone: Bool = false) async throws {
        let port = freePort()
        endpoint = "http://127.0.0.1:\(port)"
        process = Process()
        process.executableURL = URL(fileURLWithPath: driver)
        process.arguments = ["--port=\(port)", "--allowed-ips=127.0.0.1"] + (ProcessInfo.processInfo.environment["NOTIFY_WEBDRIVER_LOG"].map { ["--log-path=\($0)-\(port)", "--verbose"] } ?? [])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var ready = false
        for _ in 0..<100 where !ready {
            ready = ((try? await call("GET", "/status"))?["ready"] as? Bool) == true
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        guard ready else {
            kill(process.processIdentifier, SIGKILL)
            throw Failure(description: "chromedriver did not start on port \(port)")
        }
        var options: [String: Any] = [
            "binary": browser,
            // No sandbox: CI runs as root. A fresh profile each run.
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=\(width),\(height)", "--lang=en-US"],
        ]
        // A window is at least 500 px wide: a phone is emulated instead.
        if phone { options["mobileEmulation"] = ["deviceMetrics": ["width": 390, "height": 844, "pixelRatio": 2]] }
        do {
            let created = try await call("POST", "/session", ["capabilities": ["alwaysMatch": ["browserName": "chrome", "goog:chromeOptions": options]]])
            guard let id = (created["value"] as? [String: Any])?["sessionId"] as? String else { throw Failure(description: "no session: \(created)") }
            session = id
        } catch {
            kill(process.processIdentifier, SIGKILL)
            throw error
        }
    }

    func quit() async {
        _ = try? await call("DELETE", "/session/\(session)")
        // chromedriver stops on /shutdown; SIGTERM alone leaves it running.
        _ = try? await call("GET", "/shutdown")
        // Polled: waitUntilExit waits on a run loop a task's thread does not run.
        for _ in 0..<50 where process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    // MARK: Commands

    func open(_ url: String) async throws { _ = try await command("POST", "/url", ["url": url]) }

    var url: String { get async throws { try await command("GET", "/url") as? String ?? "" } }

    var source: String { get async throws { try await command("GET", "/source") as? String ?? "" } }

    /// The first element the CSS selector finds, waiting up to two seconds for it to appear.
    func element(_ selector: String, using strategy: String = "css selector") async throws -> String {
        var lastError: Error?
        for _ in 0..<20 {
            do {
                let found = try await command("POST", "/element", ["using": strategy, "value": selector])
                if let object = found as? [String: Any], let id = object.values.first as? String { return id }
            } catch {
                lastError = error
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(description: "no element \(selector): \(lastError.map { "\($0)" } ?? "")")
    }

    func exists(_ selector: String) async throws -> Bool {
        let found = try await command("POST", "/elements", ["using": "css selector", "value": selector])
        return !((found as? [Any]) ?? []).isEmpty
    }

    func click(_ selector: String, using strategy: String = "css selector") async throws {
        let id = try await element(selector, using: strategy)
        _ = try await command("POST", "/element/\(id)/click", [:])
    }

    func type(_ text: String, into selector: String) async throws {
        let id = try await element(selector)
        _ = try await command("POST", "/element/\(id)/clear", [:])
        _ = try await command("POST", "/element/\(id)/value", ["text": text])
    }

    /// Waits up to five seconds for `condition` (a click's navigation takes a moment); returns
    /// whether it came true.
    @discardableResult
    func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        for _ in 0..<50 {
            if (try? await condition()) == true { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }

    /// The element's text; found again when a navigation replaced the page it was found in.
    func text(_ selector: String) async throws -> String {
        for attempt in 0..<20 {
            do {
                let id = try await element(selector)
                return try await command("GET", "/element/\(id)/text") as? String ?? ""
            } catch let failure as Failure where failure.description.contains("stale element") && attempt < 19 {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        return ""
    }

    /// Runs a script in the page (WebDriver's own channel: the page's CSP does not apply).
    func run(_ script: String, _ arguments: [Any] = []) async throws {
        _ = try await command("POST", "/execute/sync", ["script": script, "args": arguments])
    }

    func cookies() async throws -> [[String: Any]] { try await command("GET", "/cookie") as? [[String: Any]] ?? [] }

    func deleteCookies() async throws { _ = try await command("DELETE", "/cookie") }

    func resize(width: Int, height: Int) async throws {
        _ = try await command("POST", "/window/rect", ["width": width, "height": height])
    }

    /// A PNG of the viewport.
    func screenshot() async throws -> Data {
        guard let text = try await command("GET", "/screenshot") as? String, let data = Data(base64Encoded: text) else {
            throw Failure(description: "no screenshot")
        }
        return data
    }

    // MARK: Wire

    private func command(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> Any? {
        try await call(method, "/session/\(session)" + path, body)["value"] as Any?
    }

    private func call(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: endpoint + path)
        request.method = .init(rawValue: method)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: body)))
        }
        let response = try await client.execute(request, timeout: .seconds(60))
        let data = try await response.body.collect(upTo: 32 << 20)
        let object = (try? JSONSerialization.jsonObject(with: Data(buffer: data))) as? [String: Any] ?? [:]
        if response.status.code >= 400 {
            let value = object["value"] as? [String: Any]
            throw Failure(description: "\(method) \(path): \(response.status.code) \(value?["error"] ?? "") \(value?["message"] ?? "")")
        }
        return path == "/status" ? (object["value"] as? [String: Any] ?? [:]) : object
    }
}
