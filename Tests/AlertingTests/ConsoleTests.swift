@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import AsyncHTTPClient
import Foundation
import NIOCore
import XCTest

/// The web console over HTTP: who gets in, what a form may change, and that it shows what the
/// library (and so `notify list`, `show`, `oncall`) says. ConsoleBrowserTests drives the same
/// pages in Chromium.
final class ConsoleTests: NotifyTestCase {
    private func harness(clock: ManualClock, publicURL: String = "http://127.0.0.1:8080",
                         console: String = "{feed_secret: 0123456789abcdef0123456789}") async throws -> (ServerHarness, FakeHTTPServer) {
        let pager = try await FakeHTTPServer()
        let harness = try await ServerHarness(config: try await ConsoleFixture.config(pager: pager.baseURL + "/page", publicURL: publicURL, console: console), clock: clock)
        return (harness, pager)
    }

    private func postEvent(_ harness: ServerHarness, _ body: String) async throws {
        let answer = try await harness.post("/v1/events", body: body, headers: ["Authorization": "Bearer \(ConsoleFixture.token)"])
        XCTAssertEqual(answer.status, 202, answer.body)
    }

    func testSignedOutVisitorsAreSentToSignInAndTheirPostsChangeNothing() async throws {
        let clock = ManualClock(now: ConsoleFixture.start)
        let (harness, pager) = try await harness(clock: clock)
        defer { Task { await harness.stop(); await pager.stop() } }
        try await postEvent(harness, ConsoleFixture.event("db-1 failed over"))
        let visitor = ConsoleVisitor(harness)
        for path in ["/console", "/console/alerts/1", "/console/oncall", "/console/silences", "/console/heartbeats", "/console/status"] {
            let answer = try await visitor.get(path)
            XCTAssertEqual(answer.status, 303, path)
            XCTAssertEqual(answer.headers["location"], "/console/login?next=" + HTTPForm.escape(path), path)
        }
        let post = try await visitor.post("/console/alerts/1/act", [("action", "resolve"), ("csrf", "anything")])
        XCTAssertEqual(post.status, 403)
        let alert = try await harness.notifier.alert(id: 1)
        XCTAssertEqual(alert?.status, .triggered)
    }

    func testWrongPasswordAndUnknownNameAnswerAlikeAndAreRateLimited() async throws {
        let clock = ManualClock(now: ConsoleFixture.start)
        let (harness, pager) = try await harness(clock: clock)
        defer { Task { await harness.stop(); await pager.stop() } }
        let visitor = ConsoleVisitor(harness)
        func strip(_ body: String) -> String {
            body.replacingOccurrences(of: #"value="[A-Za-z0-9_-]{43}""#, with: "", options: .regularExpression)
                .replacingOccurrences(of: #"value="(alice|mallory|carol)""#, with: "", options: .regularExpression)
        }
        let wrong = try await visitor.signIn("alice", "wrong")
        let unknown = try await visitor.signIn("mallory", "wrong")
        let noPassword = try await visitor.signIn("carol", "")
        XCTAssertEqual([wrong.status, unknown.status, noPassword.status], [401, 401, 401])
        XCTAssertEqual(strip(wrong.body), strip(unknown.body))
        XCTAssertEqual(strip(wrong.body), strip(noPassword.body))
        XCTAssertTrue(wrong.body.contains("Wrong name or password."))
        XCTAssertNil(visitor.cookies[WebConsole.sessionCookie])
        // Per name: the fifth failure for alice locks her name, whichever address asks...
        for _ in 0..<4 { _ = try await visitor.signIn("alice", "wrong") }
        let locked = try await visitor.signIn("alice", ConsoleFixture.password)
        XCTAssertEqual(locked.status, 429, "the right password is refused too while the name is locked")
        XCTAssertTrue(locked.body.contains("Too many failed sign-ins"))
        // ...and the same for a name that does not exist (the answer tells nothing).
        for _ in 0..<5 { _ = try await ConsoleVisitor(harness).signIn("nobody-\(UUID())", "x") }
        clock.advance(by: .seconds(16 * 60))
        let later = try await visitor.signIn("alice", ConsoleFixture.password)
        XCTAssertEqual(later.status, 303, "the window has passed")
        XCTAssertNotNil(visitor.cookies[WebConsole.sessionCookie])
    }

    func testAddressIsRateLimitedAcrossNames() async throws {
        let clock = ManualClock(now: ConsoleFixture.start)
        let (harness, pager) = try await harness(clock: clock)
        defer { Task { await harness.stop(); await pager.stop() } }
        for number in 0..<5 { _ = try await ConsoleVisitor(harness).signIn("guess-\(number)", "x") }
        let bob = try await ConsoleVisitor(harness).signIn("bob", ConsoleFixture.password)
        XCTAssertEqual(bob.status, 429, "127.0.0.1 failed five times: bob's sign-in from it waits too")
    }

    func testSignInCookiesCSPAndNoInlineScript() async throws {
        let clock = ManualClock(now: ConsoleFixture.start)
        let (harness, pager) = try await harness(clock: clock)
        defer { Task { await harness.stop(); await pager.stop() } }
        let visitor = ConsoleVisitor(harness)
        let signedIn = try await visitor.signIn("bob", ConsoleFixture.password)
        XCTAssertEqual(signedIn.status, 303, "bob's hash is htpasswd's $2y$ form")
        let cookie = try XCTUnwrap(signedIn.setCookies.first { $0.hasPrefix(WebConsole.sessionCookie + "=") })
        XCTAssertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/console") && cookie.contains("Max-Age=43200"), cookie)
        XCTAssertFalse(cookie.contains("Secure"), "plain HTTP on loopback")
        try await postEvent(harness, #"{"kind":"failover","summary":"db-1 <b>failed</b> over","links":[{"href":"javascript:alert(1)","text":"runbook"},{"href":"https://wiki.example.com/db","text":"wiki"}]}"#)
        let detail = try await visitor.get("/console/alerts/1")
        XCTAssertFalse(detail.body.contains(#"href="javascript:"#), "only http and https links are links")
        XCTAssertTrue(detail.body.contains(#"<a href="https://wiki.example.com/db""#))
        XCTAssertTrue(detail.body.contains("db-1 &lt;b&gt;failed&lt;/b&gt; over"), "the summary is escaped")
        for path in ["/console", "/console/alerts/1", "/console/oncall", "/console/silences", "/console/heartbeats", "/console/status"] {
            let page = try await visitor.get(path)
            XCTAssertEqual(page.status, 200, path)
            XCTAssertEqual(page.headers["content-security-policy"], WebConsole.contentSecurityPolicy, path)
            XCTAssertEqual(page.headers["x-frame-options"], "DENY", path)
            XCTAssertNil(page.body.range(of: #"<script(?![^>]*\bsrc=)"#, options: .regularExpression), "\(path): an inline script")
            XCTAssertNil(page.body.range(of: #"\son[a-z]+=|\sstyle="#, options: .regularExpression), "\(path): an inline handler or style")
            XCTAssertTrue(page.body.contains(#"<span id="person">bob</span>"#), path)
        }
        // Over HTTPS (behind a proxy) the cookie is Secure, even on loopback.
        let (secure, securePager) = try await self.harness(clock: clock, publicURL: "https://ops.example.com")
        defer { Task { await secure.stop(); await securePager.stop() } }
        let overTLS = try await ConsoleVisitor(secure).signIn("bob", ConsoleFixture.password)
        XCTAssertTrue(overTLS.setCookies.contains { $0.hasPrefix(WebConsole.sessionCookie + "=") && $0.contains("; Secure") })
    }

    func testFormsNeedTheSessionsCSRFTokenAndSignOutEndsTheSession() async throws {
        let clock = ManualClock(now: ConsoleFixture.start)
        let (harness, pager) = try await harness(clock: clock)
        defer { Task { await harness.stop(); await pager.stop() } }
        try await postEvent(harness, ConsoleFixture.event("db-1 failed over"))
        let alice = ConsoleVisitor(harness)
        _ = try await alice.signIn("alice", ConsoleFixture.password)
        try await alice.get("/console")
        let token = try XCTUnwrap(alice.csrf)
        let missing = try await alice.post("/console/alerts/1/act", [("action", "resolve")])
        let wrong = try await alice.post("/console/alerts/1/act", [("action", "resolve"), ("csrf", String(token.reversed()))])
        XCTAssertEqual([missing.status, wrong.status], [403, 403])
        // Another person's token does not do either.
        let bob = ConsoleVisitor(harness)
        _ = try await bob.signIn("bob", ConsoleFixture.password)
        try await bob.get("/console")
        let bobs = try await alice.post("/console/alerts/1/act", [("action", "resolve"), ("csrf", bob.csrf ?? "")])
        XCTAssertEqual(bobs.status, 403)
        var alert = try await harness.notifier.alert(id: 1)
        XCTAssertEqual(alert?.status, .triggered)
        // The API never takes the console's cookie.
        let api = try await harness.post("/v1/events", body: ConsoleFixture.event("x"), headers: alice.cookieHeader)
        XCTAssertEqual(api.status, 401)

        let session = alice.cookies
        let out = try await alice.submit("/console/logout", [])
        XCTAssertEqual(out.status, 303)
        XCTAssertNil(alice.cookies[WebConsole.sessionCookie])
        // A copy of the old cookie, with the old token, is refused now.
        alice.cookies = session
        alice.csrf = token
        let replayed = try await alice.submit("/console/alerts/1/act", [("action", "resolve")])
        XCTAssertEqual(replayed.status, 403)
        let page = try await alice.get("/console")
        XCTAssertEqual(page.status, 303)
        alert = try await harness.notifier.alert(id: 1)
        XCTAssertEqual(alert?.status, .triggered)
        // A session is over after session_ttl.
        _ = try await bob.get("/console")
        clock.advance(by: .seconds(12 * 3600 + 1))
        let expired = try await bob.get("/console")
        XCTAssertEqual(expired.status, 303)
    }

    /// Acknowledge from the console is `notify ack 1 --by alice --note ...`: the same timeline
    /// entry, and the escalation's second step pages nobody.
    func testAcknowledgeIsRecordedUnderThePersonsNameAndStopsTheEscalation() async throws {
        let clock = ManualClock(now: ConsoleFixture.start)
        let (harness, pager) = try await harness(clock: clock)
        defer { Task { await harness.stop(); await pager.stop() } }
        try await postEvent(harness, ConsoleFixture.event("db-1 failed over"))
        _ = try await harness.notifier.runDue()
        XCTAssertEqual(pager.requests.count, 1)
        let alice = ConsoleVisitor(harness)
        _ = try await alice.signIn("alice", ConsoleFixture.password)
        try await alice.get("/console")
        let acted = try await alice.submit("/console/alerts/1/act", [("action", "acknowledge"), ("note", "on it"), ("back", "/console?status=open")])
        XCTAssertEqual(acted.status, 303)
        let location = try XCTUnwrap(acted.headers["location"])
        XCTAssertTrue(location.hasPrefix("/console?status=open&done=" + WebConsole.escape("Alert #1 acknowledged by alice.") + "&sig="), location)
        let landed = try await alice.get(location)
        XCTAssertTrue(landed.body.contains(#"<p class="notice" id="notice">Alert #1 acknowledged by alice.</p>"#))
        // A notice in a link made elsewhere is not shown: the console signs its own.
        let spoofed = try await alice.get("/console?done=" + WebConsole.escape("Your session expired: call +1 555 0100") + "&sig=00")
        XCTAssertFalse(spoofed.body.contains("call +1 555 0100"))
        clock.advance(by: .seconds(600))
        _ = try await harness.notifier.runDue()
        XCTAssertEqual(pager.requests.count, 1, "the second step did not page")
        let timeline = try await harness.notifier.timeline(alertID: 1)
        let ack = try XCTUnwrap(timeline.entries.first { $0.what == "acknowledged" })
        XCTAssertEqual(ack.actor, "alice")
        XCTAssertEqual(ack.note, "on it")
        let page = try await alice.get("/console/alerts/1")
        XCTAssertTrue(page.body.contains("acknowledged by alice: on it"), page.body)
        // Resolving a resolved alert says so and changes nothing.
        _ = try await alice.submit("/console/alerts/1/act", [("action", "resolve")])
        let again = try await alice.submit("/console/alerts/1/act", [("action", "resolve")])
        XCTAssertTrue((again.headers["location"] ?? "").contains("Nothing%20done"), again.headers["location"] ?? "")
    }

    /// The list is `notify list`'s standings (what `notify list --output json` prints), a page at
    /// a time; filters narrow it.
    func testTheListShowsTheLibrarysStandingsAPageAtATime() async throws {
        let clock = ManualClock(now: ConsoleFixture.start)
        let (harness, pager) = try await harness(clock: clock)
        defer { Task { await harness.stop(); await pager.stop() } }
        for number in 1...120 {
            try await postEvent(harness, ConsoleFixture.event("host-\(number) failed", environment: number % 2 == 0 ? "prod" : "staging", source: "host-\(number)"))
        }
        _ = try await harness.notifier.acknowledge(alertID: 7, by: "bob")
        let alice = ConsoleVisitor(harness)
        _ = try await alice.signIn("alice", ConsoleFixture.password)
        func ids(_ body: String) -> [Int64] {
            body.matches(of: #/data-alert="(\d+)"/#).compactMap { Int64($0.output.1) }
        }
        let first = try await alice.get("/console")
        let standings = try await harness.notifier.standings(statuses: [.triggered, .acknowledged])
        XCTAssertEqual(ids(first.body), Array(standings.prefix(50).map(\.alert.id)))
        XCTAssertTrue(first.body.contains("1–50 of 120"))
        let third = try await alice.get("/console?status=open&page=3")
        XCTAssertEqual(ids(third.body), Array(standings.dropFirst(100).map(\.alert.id)))
        XCTAssertFalse(third.body.contains(#"id="next-page""#))
        let seven = try XCTUnwrap(standings.first { $0.alert.id == 7 })
        let pageThree = try await alice.get("/console?page=3")
        let row = try XCTUnwrap(pageThree.body.components(separatedBy: "<li class=").first { $0.contains(#"id="alert-7""#) })
        XCTAssertTrue(row.contains("acknowledged by \(seven.acknowledgedBy ?? "?")"), row)
        let staging = try await alice.get("/console?status=open&environment=staging&q=host-1")
        let expected = standings.filter { $0.alert.environment == "staging" && ($0.alert.source ?? "").contains("host-1") }.map(\.alert.id)
        XCTAssertEqual(ids(staging.body), Array(expected.prefix(50)))
        XCTAssertFalse(expected.isEmpty)
    }

    /// An override added in the console is what `notify oncall` and the escalation read; the
    /// page shows the same person as the library.
    func testOverrideFormChangesWhoIsOnCallEverywhere() async throws {
        let clock = ManualClock(now: ConsoleFixture.start)
        let (harness, pager) = try await harness(clock: clock)
        defer { Task { await harness.stop(); await pager.stop() } }
        let alice = ConsoleVisitor(harness)
        _ = try await alice.signIn("alice", ConsoleFixture.password)
        var page = try await alice.get("/console/oncall")
        XCTAssertTrue(page.body.contains(#"id="now-primary">bob<"#), "11:00 in Berlin on the second day: bob")
        let added = try await alice.submit("/console/oncall/overrides", [("schedule", "primary"), ("member", "alice"), ("from", "2026-11-24T11:00"), ("until", "2026-11-24T13:00")])
        XCTAssertEqual(added.status, 303)
        page = try await alice.get("/console/oncall")
        XCTAssertTrue(page.body.contains(#"id="now-primary">alice<"#), page.body)
        XCTAssertTrue(page.body.contains("(added by alice)"))
        let library = try await harness.notifier.onCallSchedules(overridesEndingAfter: clock.now())["primary"]?.onCall(at: clock.now())
        XCTAssertEqual(library, ["alice"])
        let bad = try await alice.submit("/console/oncall/overrides", [("schedule", "primary"), ("member", "mallory"), ("from", "2026-11-24T11:00"), ("until", "2026-11-24T13:00")])
        XCTAssertEqual(bad.status, 400)
        XCTAssertTrue(bad.body.contains("there is no contact named &quot;mallory&quot;"), bad.body)
        let id = try await harness.notifier.overrides(notEndedAt: nil).first?.id ?? 0
        _ = try await alice.submit("/console/oncall/overrides/\(id)/remove", [])
        page = try await alice.get("/console/oncall")
        XCTAssertTrue(page.body.contains(#"id="now-primary">bob<"#))
    }

    func testSilenceFormPreviewsThenSilences() async throws {
        let clock = ManualClock(now: ConsoleFixture.start)
        let (harness, pager) = try await harness(clock: clock)
        defer { Task { await harness.stop(); await pager.stop() } }
        try await postEvent(harness, ConsoleFixture.event("staging db failed over", environment: "staging"))
        try await postEvent(harness, ConsoleFixture.event("prod db failed over"))
        _ = try await harness.notifier.runDue()
        let alice = ConsoleVisitor(harness)
        _ = try await alice.signIn("alice", ConsoleFixture.password)
        try await alice.get("/console/silences")
        let preview = try await alice.submit("/console/silences", [("matchers", "environment=staging"), ("duration", "1h"), ("reason", "load test"), ("step", "preview")])
        XCTAssertTrue(preview.body.contains("It would silence 1 open alert<"), preview.body)
        XCTAssertTrue(preview.body.contains("staging db failed over"))
        let silences = try await harness.notifier.silences(notEndedAt: nil).silences
        XCTAssertTrue(silences.isEmpty, "a preview adds nothing")
        let bad = try await alice.submit("/console/silences", [("matchers", "environment"), ("duration", "1h"), ("step", "add")])
        XCTAssertEqual(bad.status, 400)
        let added = try await alice.submit("/console/silences", [("matchers", "environment=staging"), ("duration", "1h"), ("reason", "load test"), ("step", "add")])
        XCTAssertEqual(added.status, 303)
        let stored = try await harness.notifier.silences(notEndedAt: nil).silences
        XCTAssertEqual(stored.map(\.createdBy), ["alice"])
        let before = pager.requests.count
        try await postEvent(harness, ConsoleFixture.event("staging cache failed over", environment: "staging", source: "cache-1"))
        _ = try await harness.notifier.runDue()
        XCTAssertEqual(pager.requests.count, before, "the silence pages nobody")
        try await alice.get("/console/silences")
        _ = try await alice.submit("/console/silences/\(stored[0].id)/expire", [])
        let after = try await harness.notifier.silences(notEndedAt: clock.now()).silences
        XCTAssertTrue(after.isEmpty)
    }

    /// A trusted proxy's header signs a contact in by name or email, only from its address.
    func testTrustedProxyHeader() async throws {
        let clock = ManualClock(now: ConsoleFixture.start)
        let (trusted, pager) = try await harness(clock: clock, console: "{trusted_header: X-Forwarded-Email, trusted_proxies: [127.0.0.1]}")
        defer { Task { await trusted.stop(); await pager.stop() } }
        let byEmail = try await trusted.get("/console", headers: ["X-Forwarded-Email": "ALICE@example.com"])
        XCTAssertEqual(byEmail.status, 200)
        XCTAssertTrue(byEmail.body.contains(#"<span id="person">alice</span>"#))
        let stranger = try await trusted.get("/console", headers: ["X-Forwarded-Email": "eve@example.com"])
        XCTAssertEqual(stranger.status, 303)
        let (untrusted, pager2) = try await harness(clock: clock, console: "{trusted_header: X-Forwarded-Email, trusted_proxies: [10.0.0.5]}")
        defer { Task { await untrusted.stop(); await pager2.stop() } }
        let spoofed = try await untrusted.get("/console", headers: ["X-Forwarded-Email": "alice@example.com"])
        XCTAssertEqual(spoofed.status, 303, "127.0.0.1 is not the proxy: the header is anyone's")
        XCTAssertThrowsError(try ConfigLoader().parse("""
            channels: {c: {type: console}}
            routes: [{notify: [c]}]
            server: {token: t0ken-for-tests, console: {trusted_header: X-Forwarded-User}}
            """)) { error in XCTAssertTrue("\(error)".contains("trusted_header needs trusted_proxies"), "\(error)") }
    }

    /// Behind a proxy at https://ops.example.com/notify the links keep the prefix, and both the
    /// prefixed and the stripped paths are served.
    func testPathPrefixFromPublicURL() async throws {
        let clock = ManualClock(now: ConsoleFixture.start)
        let (harness, pager) = try await harness(clock: clock, publicURL: "https://ops.example.com/notify")
        defer { Task { await harness.stop(); await pager.stop() } }
        let visitor = ConsoleVisitor(harness, base: "/notify/console")
        let signIn = try await visitor.signIn("alice", ConsoleFixture.password)
        XCTAssertEqual(signIn.headers["location"], "/notify/console")
        XCTAssertTrue(signIn.setCookies.contains { $0.contains("Path=/notify/console") && $0.contains("Secure") })
        let page = try await visitor.get("/notify/console")
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.body.contains(#"href="/notify/console/assets/console.css""#))
        let stripped = try await visitor.get("/console/oncall")
        XCTAssertEqual(stripped.status, 200)
        XCTAssertTrue(stripped.body.contains(#"action="/notify/console/oncall/overrides""#))
    }

    func testCalendarFeedsAreBehindTheirTokenAndShowOverrides() async throws {
        let clock = ManualClock(now: ConsoleFixture.start)
        let (harness, pager) = try await harness(clock: clock)
        defer { Task { await harness.stop(); await pager.stop() } }
        _ = try await harness.notifier.addOverride(schedule: "primary", member: "alice", from: ConsoleFixture.start + 86_400, until: ConsoleFixture.start + 2 * 86_400, by: "alice")
        let alice = ConsoleVisitor(harness)
        _ = try await alice.signIn("alice", ConsoleFixture.password)
        let page = try await alice.get("/console/oncall")
        let link = try XCTUnwrap(page.body.firstMatch(of: #/href="(/console/calendar/schedule/primary\.ics\?token=[0-9a-f]{64})"/#)?.output.1)
        let feed = try await harness.get(String(link))
        XCTAssertEqual(feed.status, 200)
        XCTAssertEqual(feed.headers["content-type"], "text/calendar; charset=utf-8")
        XCTAssertTrue(feed.body.hasPrefix("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"))
        XCTAssertTrue(feed.body.hasSuffix("END:VCALENDAR\r\n"))
        XCTAssertTrue(feed.body.contains("SUMMARY:On call: alice (primary) override\r\n"))
        XCTAssertTrue(feed.body.contains("DTSTART:20261125T100000Z\r\n"), "the override from 2026-11-25 10:00Z")
        for line in feed.body.components(separatedBy: "\r\n") { XCTAssertLessThanOrEqual(line.utf8.count, 75, line) }
        let again = try await harness.get(String(link))
        XCTAssertEqual(feed.body.matches(of: #/UID:(\S+)/#).map { String($0.output.1) }, again.body.matches(of: #/UID:(\S+)/#).map { String($0.output.1) },
                       "UIDs stay the same between polls")
        let forged = try await harness.get(String(link.dropLast(4)) + "0000")
        XCTAssertEqual(forged.status, 404)
        let otherSchedule = try await harness.get(String(link).replacingOccurrences(of: "primary.ics", with: "secondary.ics"))
        XCTAssertEqual(otherSchedule.status, 404)
        let person = try XCTUnwrap(page.body.firstMatch(of: #/href="(/console/calendar/person/alice\.ics\?token=[0-9a-f]{64})"/#)?.output.1)
        let mine = try await harness.get(String(person))
        XCTAssertEqual(mine.status, 200)
        XCTAssertFalse(mine.body.contains("bob"), "a person's feed shows their own shifts")
        XCTAssertTrue(mine.body.contains("SUMMARY:On call: alice (primary)"))
    }

    func testICalendarTextIsEscapedAndFolded() {
        XCTAssertEqual(CalendarFeed.text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne")
        let long = "SUMMARY:" + String(repeating: "ü", count: 60)
        let folded = CalendarFeed.fold(long)
        for line in folded.components(separatedBy: "\r\n") { XCTAssertLessThanOrEqual(line.utf8.count, 75) }
        XCTAssertEqual(folded.replacingOccurrences(of: "\r\n ", with: ""), long)
    }
}

/// One source of truth: the console and the `notify` binary read the same SQLite state file and
/// say the same things (who acknowledged, the step, who is on call, the timeline).
final class ConsoleMatchesCLITests: NotifyTestCase {
    func testConsoleShowsWhatListShowAndOnCallPrint() async throws {
        let clock = ManualClock(now: Date())
        let pager = try await FakeHTTPServer()
        let state = temporaryStatePath()
        let yaml = try await ConsoleFixture.config(pager: pager.baseURL + "/page")
        let harness = try await ServerHarness(config: yaml, clock: clock, store: try SQLiteAlertStore(path: state))
        defer { Task { await harness.stop(); await pager.stop() } }
        let config = try writeTemporaryConfig(yaml)
        for number in 1...3 {
            let answer = try await harness.post("/v1/events", body: ConsoleFixture.event("db-\(number) failed over", source: "db-\(number)"),
                                                headers: ["Authorization": "Bearer \(ConsoleFixture.token)"])
            XCTAssertEqual(answer.status, 202)
        }
        _ = try await harness.notifier.runDue()
        _ = try await harness.notifier.acknowledge(alertID: 2, by: "bob", note: "mine")
        _ = try await harness.notifier.addOverride(schedule: "primary", member: "alice", from: clock.now() - 60, until: clock.now() + 3600, by: "alice")
        let alice = ConsoleVisitor(harness)
        _ = try await alice.signIn("alice", ConsoleFixture.password)

        let list = try await NotifyProcess.run(["list", "--config", config, "--state", state, "--output", "json"])
        XCTAssertEqual(list.status, 0, list.stderr)
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        let page = try await alice.get("/console").body
        let shownIDs = page.matches(of: #/data-alert="(\d+)"/#).compactMap { Int($0.output.1) }
        XCTAssertEqual(shownIDs, rows.compactMap { $0["id"] as? Int }, "the same alerts, in the same order")
        for row in rows {
            let id = try XCTUnwrap(row["id"] as? Int)
            let item = try XCTUnwrap(page.components(separatedBy: "<li class=").first { $0.contains(#"id="alert-\#(id)""#) })
            XCTAssertTrue(item.contains("<span class=\"badge\">\(row["status"] as? String ?? "?")</span>"), item)
            if let by = row["acknowledged_by"] as? String { XCTAssertTrue(item.contains("acknowledged by \(by)"), item) }
        }

        let show = try await NotifyProcess.run(["show", "2", "--config", config, "--state", state, "--output", "json"])
        XCTAssertEqual(show.status, 0, show.stderr)
        let shown = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        let timeline = try XCTUnwrap(shown["timeline"] as? [[String: Any]])
        let detail = try await alice.get("/console/alerts/2").body
        let start = try XCTUnwrap(detail.range(of: #"<ol class="timeline" id="timeline">"#))
        let entries = String(detail[start.upperBound...].prefix { $0 != "\u{0}" }).components(separatedBy: "</ol>")[0]
        XCTAssertEqual(entries.components(separatedBy: "<li>").count - 1, timeline.count, "one entry per timeline entry notify show prints")
        XCTAssertTrue(detail.contains("acknowledged by bob: mine"))

        let onCall = try await NotifyProcess.run(["oncall", "primary", "--config", config, "--state", state, "--output", "json"])
        XCTAssertEqual(onCall.status, 0, onCall.stderr)
        let answer = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(onCall.stdout.utf8)) as? [[String: Any]])?.first)
        let who = try XCTUnwrap(answer["on_call"] as? [String])
        XCTAssertEqual(who, ["alice"], "the override added in the state")
        let onCallPage = try await alice.get("/console/oncall").body
        XCTAssertTrue(onCallPage.contains(#"id="now-primary">\#(who.joined(separator: ", "))<"#), onCallPage)
    }
}

/// The issue's "done when": `notify serve --config Examples/serve.yaml`, with alice's
/// `password_hash` line from `notify passwd alice` added, shows the console.
final class ConsoleExampleTests: NotifyTestCase {
    func testExampleServeConfigWithOnePasswordLineShowsTheConsole() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let example = try String(contentsOf: root.appendingPathComponent("Examples/serve.yaml"), encoding: .utf8)
        let made = try await NotifyProcess.run(["passwd", "alice"], stdin: Data("example-password\n".utf8))
        XCTAssertEqual(made.status, 0, made.stderr)
        let line = made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(line.hasPrefix("password_hash: \"$2b$12$"), line)
        XCTAssertFalse(made.stdout.contains("example-password") || made.stderr.contains("example-password"), "the password is never printed")
        let withPassword = example.replacingOccurrences(of: "    slack: U0123ALICE\n", with: "    slack: U0123ALICE\n    \(line)\n")
        XCTAssertNotEqual(withPassword, example)
        let config = try writeTemporaryConfig(withPassword)
        let serve = try await ServeProcess.start(["--config", config, "--listen", "127.0.0.1:0"], state: temporaryStatePath())
        defer { serve.process.terminate() }
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        defer { Task { try? await client.shutdown() } }
        let login = try await client.execute(HTTPClientRequest(url: serve.baseURL + "/console/login"), timeout: .seconds(10))
        XCTAssertEqual(login.status, .ok)
        let cookie = try XCTUnwrap(login.headers["set-cookie"].first?.split(separator: ";").first.map(String.init))
        let page = String(buffer: try await login.body.collect(upTo: 1 << 20))
        let token = try XCTUnwrap(page.firstMatch(of: #/name="csrf" value="([^"]+)"/#)?.output.1)
        var request = HTTPClientRequest(url: serve.baseURL + "/console/login")
        request.method = .POST
        request.headers.add(name: "Cookie", value: cookie)
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: "csrf=\(token)&next=%2Fconsole&name=alice&password=example-password"))
        let signedIn = try await client.execute(request, timeout: .seconds(10))
        XCTAssertEqual(signedIn.status, .seeOther)
        let session = try XCTUnwrap(signedIn.headers["set-cookie"].first { $0.hasPrefix("notify_session=") }?.split(separator: ";").first.map(String.init))
        var console = HTTPClientRequest(url: serve.baseURL + "/console/oncall")
        console.headers.add(name: "Cookie", value: session)
        let onCall = try await client.execute(console, timeout: .seconds(10))
        XCTAssertEqual(onCall.status, .ok)
        let body = String(buffer: try await onCall.body.collect(upTo: 1 << 20))
        XCTAssertTrue(body.contains(#"<span id="person">alice</span>"#) && body.contains(#"id="schedule-primary""#), body)
    }
}
