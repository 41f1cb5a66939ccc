@testable import Alerting
@testable import AlertingServer
import Foundation
import XCTest

/// The console in a real browser: Debian's Chromium driven through chromium-driver (WebDriver).
/// CI installs both and sets NOTIFY_REQUIRE_BROWSER, so these run there rather than skip.
final class ConsoleBrowserTests: NotifyTestCase {
    private func browser(width: Int = 1280, height: Int = 900, phone: Bool = false) async throws -> WebDriver {
        guard let found = WebDriver.available() else {
            if ProcessInfo.processInfo.environment["NOTIFY_REQUIRE_BROWSER"] != nil {
                XCTFail("NOTIFY_REQUIRE_BROWSER is set but chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)")
            }
            throw XCTSkip("chromium and chromium-driver are not installed")
        }
        return try await WebDriver(driver: found.driver, browser: found.browser, width: width, height: height, phone: phone)
    }

    private func postEvent(_ harness: ServerHarness, _ body: String) async throws {
        let answer = try await harness.post("/v1/events", body: body, headers: ["Authorization": "Bearer \(ConsoleFixture.token)"])
        XCTAssertEqual(answer.status, 202, answer.body)
    }

    func testSignInAcknowledgeOverrideAndSilenceInChromium() async throws {
        // The browser first: a machine without one skips before any server starts.
        let browser = try await self.browser()
        let clock = ManualClock(now: ConsoleFixture.start)
        let pager = try await FakeHTTPServer()
        let harness = try await ServerHarness(config: try await ConsoleFixture.config(pager: pager.baseURL + "/page"), clock: clock)
        // Awaited before the next test, so no browser outlives its test.
        addTeardownBlock {
            await browser.quit()
            await harness.stop()
            await pager.stop()
        }
        let console = harness.baseURL + "/console"

        // Signed out: sent to sign in, and back to the page asked for afterwards.
        try await browser.open(console + "/oncall")
        var url = try await browser.url
        XCTAssertTrue(url.hasPrefix(console + "/login?next="), url)
        try await browser.type("alice", into: "#name")
        try await browser.type("not her password", into: "#password")
        try await browser.click("#sign-in")
        let problem = try await browser.text("#problem")
        XCTAssertEqual(problem, "Wrong name or password.")
        try await browser.type(ConsoleFixture.password, into: "#password")
        try await browser.click("#sign-in")
        try await browser.eventually { try await browser.url == console + "/oncall" }
        url = try await browser.url
        XCTAssertEqual(url, console + "/oncall")
        let person = try await browser.text("#person")
        XCTAssertEqual(person, "alice")

        // An alert just posted is on the list; Acknowledge stops its escalation.
        try await postEvent(harness, ConsoleFixture.event("db-1 failed over"))
        _ = try await harness.notifier.runDue()
        XCTAssertEqual(pager.requests.count, 1, "the first step paged")
        try await browser.open(console)
        let row = try await browser.text("#alert-1")
        XCTAssertTrue(row.contains("#1 db-1 failed over") && row.contains("triggered") && row.contains("pager (delivered)"), row)
        try await browser.type("looking", into: "#alert-1 input[name=note]")
        try await browser.click("#ack-1")
        try await browser.eventually { try await browser.exists("#notice") }
        let notice = try await browser.text("#notice")
        XCTAssertEqual(notice, "Alert #1 acknowledged by alice.")
        let acknowledged = try await browser.text("#alert-1")
        XCTAssertTrue(acknowledged.contains("acknowledged by alice"), acknowledged)
        clock.advance(by: .seconds(600))
        _ = try await harness.notifier.runDue()
        XCTAssertEqual(pager.requests.count, 1, "the second step, due 5 minutes in, paged nobody")
        try await browser.open(console + "/alerts/1")
        let timeline = try await browser.text("#timeline")
        XCTAssertTrue(timeline.contains("acknowledged by alice: looking"), timeline)

        // An override: alice takes over from bob now, and "on call now" says so.
        try await browser.open(console + "/oncall")
        let before = try await browser.text("#now-primary")
        XCTAssertEqual(before, "bob")
        try await browser.click("//select[@id='override-member-primary']/option[text()='alice']", using: "xpath")
        try await browser.run("document.getElementById('override-from-primary').value = arguments[0]; document.getElementById('override-until-primary').value = arguments[1];",
                              ["2026-11-24T11:00", "2026-11-24T13:00"])
        try await browser.click("#override-add-primary")
        try await browser.eventually { try await browser.text("#now-primary") == "alice" }
        let after = try await browser.text("#now-primary")
        XCTAssertEqual(after, "alice")
        let library = try await harness.notifier.onCallSchedules(overridesEndingAfter: clock.now())["primary"]?.onCall(at: clock.now())
        XCTAssertEqual(library, ["alice"], "what the page shows is what notify oncall reads")

        // A silence, previewed first; then a matching alert pages nobody.
        try await postEvent(harness, ConsoleFixture.event("staging db failed over", environment: "staging"))
        _ = try await harness.notifier.runDue()
        XCTAssertEqual(pager.requests.count, 2)
        try await browser.open(console + "/silences")
        try await browser.type("environment=staging", into: "#silence-matchers")
        try await browser.type("1h", into: "#silence-duration")
        try await browser.type("load test", into: "#silence-reason")
        try await browser.click("#silence-preview")
        let preview = try await browser.text("#preview")
        XCTAssertTrue(preview.contains("It would silence 1 open alert") && preview.contains("staging db failed over"), preview)
        try await browser.click("#silence-add")
        try await browser.eventually { try await browser.text("ul.silences").contains("environment=staging") }
        let listed = try await browser.text("ul.silences")
        XCTAssertTrue(listed.contains("environment=staging") && listed.contains("load test") && listed.contains("(by alice)"), listed)
        try await postEvent(harness, ConsoleFixture.event("staging cache failed over", environment: "staging", source: "cache-1"))
        clock.advance(by: .seconds(600))
        _ = try await harness.notifier.runDue()
        XCTAssertEqual(pager.requests.count, 2, "the silenced alert paged nobody")

        // Forged posts change nothing: a console form whose token was altered or removed...
        try await browser.open(console + "/alerts/2")
        try await browser.run("document.querySelector('form.act input[name=csrf]').value = 'forged';")
        try await browser.click("#resolve")
        try await browser.eventually { try await browser.source.contains("CSRF token is missing or wrong") }
        var page = try await browser.source
        XCTAssertTrue(page.contains("CSRF token is missing or wrong"), page)
        try await browser.open(console + "/alerts/2")
        try await browser.run("document.querySelector('form.act input[name=csrf]').remove();")
        try await browser.click("#resolve")
        try await browser.eventually { try await browser.source.contains("CSRF token is missing or wrong") }
        page = try await browser.source
        XCTAssertTrue(page.contains("CSRF token is missing or wrong"), page)
        // ...and a form on another site, which the browser posts without the session cookie.
        let attack = "<form method=post action='\(console)/alerts/2/act'><input name=action value=resolve><button id=go>win a prize</button></form>"
        try await browser.open("data:text/html," + (attack.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
        try await browser.click("#go")
        try await browser.eventually { try await browser.url.hasPrefix(console) }
        page = try await browser.source
        XCTAssertTrue(page.contains("sign in first") || page.contains("CSRF token"), page)
        var alert = try await harness.notifier.alert(id: 2)
        XCTAssertEqual(alert?.status, .triggered, "no forged post resolved it")

        // Sign out; the old cookie, replayed, is refused.
        try await browser.open(console)
        let session = try await browser.cookies().first { $0["name"] as? String == WebConsole.sessionCookie }?["value"] as? String
        let token = try await browser.source.firstMatch(of: #/name="csrf" value="([^"]+)"/#)?.output.1
        try await browser.click("#sign-out")
        try await browser.eventually { try await browser.url == console + "/login" }
        url = try await browser.url
        XCTAssertEqual(url, console + "/login")
        try await browser.open(console + "/alerts/2")
        try await browser.eventually { try await browser.url.hasPrefix(console + "/login") }
        url = try await browser.url
        XCTAssertTrue(url.hasPrefix(console + "/login"), url)
        let replay = ConsoleVisitor(harness)
        replay.cookies = [WebConsole.sessionCookie: try XCTUnwrap(session)]
        replay.csrf = String(try XCTUnwrap(token))
        let replayed = try await replay.submit("/console/alerts/2/act", [("action", "resolve")])
        XCTAssertEqual(replayed.status, 403)
        alert = try await harness.notifier.alert(id: 2)
        XCTAssertEqual(alert?.status, .triggered, "the replayed session resolved nothing")
    }

    /// The screenshots in docs/console.md, on a desktop and a phone-sized window:
    /// NOTIFY_CONSOLE_SCREENSHOTS=docs/console scripts/console-screenshots
    func testScreenshotsForTheDocs() async throws {
        guard let directory = ProcessInfo.processInfo.environment["NOTIFY_CONSOLE_SCREENSHOTS"] else {
            throw XCTSkip("set NOTIFY_CONSOLE_SCREENSHOTS=DIRECTORY to write the docs' screenshots")
        }
        let clock = ManualClock(now: ConsoleFixture.start)
        let pager = try await FakeHTTPServer()
        let harness = try await ServerHarness(config: try await ConsoleFixture.config(pager: pager.baseURL + "/page"), clock: clock)
        addTeardownBlock {
            await harness.stop()
            await pager.stop()
        }
        let events = [
            (#"{"kind":"failover","severity":"critical","environment":"prod-eu","source":"db-1","summary":"db-1 failed over to db-2"}"#, 0),
            (#"{"kind":"health_check","severity":"error","environment":"prod-eu","source":"web-3","summary":"web-3 fails its load balancer health check"}"#, 120),
            (#"{"kind":"continuous_failure","severity":"warning","environment":"staging","source":"api","summary":"api deploys keep failing in staging"}"#, 300),
            (#"{"kind":"heartbeat_missed","severity":"error","environment":"prod-us","source":"nightly-backup","summary":"nightly-backup did not run"}"#, 900),
        ]
        for (event, seconds) in events {
            clock.advance(by: .seconds(seconds))
            try await postEvent(harness, event)
            _ = try await harness.notifier.runDue()
        }
        _ = try await harness.notifier.acknowledge(alertID: 2, by: "bob", note: "draining web-3")
        _ = try await harness.notifier.addOverride(schedule: "primary", member: "alice", from: ConsoleFixture.start + 4 * 86_400, until: ConsoleFixture.start + 5 * 86_400, by: "alice")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (size, phone) in [("desktop", false), ("phone", true)] {
            let browser = try await self.browser(phone: phone)
            let console = harness.baseURL + "/console"
            try await browser.open(console + "/login")
            try await browser.type("alice", into: "#name")
            let signIn = try await browser.screenshot()
            try signIn.write(to: URL(fileURLWithPath: "\(directory)/login-\(size).png"))
            try await browser.type(ConsoleFixture.password, into: "#password")
            try await browser.click("#sign-in")
            for (name, path) in [("alerts", ""), ("alert", "/alerts/1"), ("oncall", "/oncall"), ("silences", "/silences")] {
                try await browser.open(console + path)
                try await browser.screenshot().write(to: URL(fileURLWithPath: "\(directory)/\(name)-\(size).png"))
            }
            await browser.quit()
        }
    }
}
