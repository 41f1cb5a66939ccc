import Alerting
import AlertingConfig
import Foundation
import HTTPTypes
import Hummingbird

/// The web console's routes: sign-in and out, the pages, their forms, and the calendar feeds.
/// Every page needs a signed-in person; every form post needs that person's CSRF token. The
/// API endpoints keep their own bearer tokens and never look at the console's cookie.
extension NotifyServer {
    func addConsoleRoutes(to router: Hummingbird.Router<NotifyRequestContext>) {
        // Behind a proxy at https://ops.example.com/notify, the browser asks for /notify/console;
        // a proxy that strips the prefix sends /console: both are served, links keep the prefix.
        for base in Set([console.base, "/console"]).sorted() {
            let path = { (tail: String) in RouterPath(stringLiteral: base + tail) }
            router.get(path("")) { request, context in try await self.guardedPage(request, context) { try await self.alertsPage(request, $0) } }
            router.get(path("/assets/console.css")) { _, _ in WebConsole.asset(ConsoleAssets.css, type: "text/css; charset=utf-8") }
            router.get(path("/assets/console.js")) { _, _ in WebConsole.asset(ConsoleAssets.javascript, type: "text/javascript; charset=utf-8") }
            router.get(path("/login")) { request, context in self.loginPage(request, context) }
            router.post(path("/login")) { request, context in try await self.login(request, context) }
            router.post(path("/logout")) { request, context in try await self.guardedForm(request, context) { visitor, _ in self.logout(visitor) } }
            router.get(path("/alerts/:id")) { request, context in
                try await self.guardedPage(request, context) { try await self.alertPage(id: context.parameters.require("id", as: Int64.self), request, $0) }
            }
            router.post(path("/alerts/:id/act")) { request, context in
                try await self.guardedForm(request, context) { try await self.act(id: context.parameters.require("id", as: Int64.self), $0, $1) }
            }
            router.get(path("/oncall")) { request, context in try await self.guardedPage(request, context) { try await self.onCallPage($0) } }
            router.post(path("/oncall/overrides")) { request, context in try await self.guardedForm(request, context) { try await self.addOverride($0, $1) } }
            router.post(path("/oncall/overrides/:id/remove")) { request, context in
                try await self.guardedForm(request, context) { visitor, _ in try await self.removeOverride(id: context.parameters.require("id", as: Int64.self), visitor) }
            }
            router.get(path("/silences")) { request, context in try await self.guardedPage(request, context) { try await self.silencesPage($0) } }
            router.post(path("/silences")) { request, context in try await self.guardedForm(request, context) { try await self.addSilence($0, $1) } }
            router.post(path("/silences/:id/expire")) { request, context in
                try await self.guardedForm(request, context) { visitor, _ in try await self.expireSilence(id: context.parameters.require("id", as: Int64.self), visitor) }
            }
            router.get(path("/heartbeats")) { request, context in try await self.guardedPage(request, context) { try await self.heartbeatsPage($0) } }
            router.get(path("/status")) { request, context in try await self.guardedPage(request, context) { try await self.statusPage($0) } }
            router.get(path("/calendar/:kind/:file")) { request, context in
                try await self.calendar(kind: context.parameters.get("kind") ?? "", file: context.parameters.get("file") ?? "", token: request.uri.queryParameters.get("token") ?? "")
            }
        }
    }

    // MARK: Guards

    /// A page for a signed-in person; anyone else is sent to sign in, and comes back after.
    func guardedPage(_ request: Request, _ context: NotifyRequestContext, _ body: (WebConsole.Visitor) async throws -> Response) async throws -> Response {
        guard let visitor = console.visitor(request, context: context, now: notifier.clock.now()) else {
            let next = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
            return console.redirect(to: console.base + "/login?next=" + WebConsole.escape(next))
        }
        return try await body(visitor)
    }

    /// A form post: a signed-in person, with their CSRF token; anything else changes nothing.
    func guardedForm(_ request: Request, _ context: NotifyRequestContext,
                     _ body: (WebConsole.Visitor, ConsoleForm) async throws -> Response) async throws -> Response {
        guard let visitor = console.visitor(request, context: context, now: notifier.clock.now()) else {
            return console.refusal(.forbidden, "sign in first: nothing was changed")
        }
        let form = ConsoleForm(try await self.body(of: request))
        guard let token = form["csrf"], constantTimeEqual(token, visitor.csrfToken) else {
            logger.warning("console form refused: missing or wrong CSRF token", metadata: ["path": "\(request.uri.path)", "person": "\(visitor.person)"])
            return console.refusal(.forbidden, "this form's CSRF token is missing or wrong (reload the page and try again): nothing was changed")
        }
        return try await body(visitor, form)
    }

    // MARK: Signing in and out

    func loginPage(_ request: Request, _ context: NotifyRequestContext) -> Response {
        let next = WebConsole.query(of: request)["next"]
        if console.visitor(request, context: context, now: notifier.clock.now()) != nil { return console.redirect(to: console.safeNext(next)) }
        return loginForm(next: next)
    }

    func loginForm(next: String?, problem: String? = nil, name: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        let now = notifier.clock.now()
        // The sign-in form's CSRF token is a cookie it must match (there is no session yet).
        let token = ConsoleSessions.randomToken()
        var values: [String: Any] = ["title": "Sign in", "configured": console.signIn.isConfigured, "csrf": token,
                                     "next": console.safeNext(next)]
        if let problem { values["problem"] = problem }
        if let name { values["name"] = name }
        var response = console.page("login", values, visitor: nil, now: now, status: status,
                                    cookies: [console.setCookie(WebConsole.loginCookie, token, maxAge: 3600)])
        response.headers[.cacheControl] = "no-store"
        return response
    }

    func login(_ request: Request, _ context: NotifyRequestContext) async throws -> Response {
        let now = notifier.clock.now()
        let form = ConsoleForm(try await body(of: request))
        guard let token = form["csrf"], let cookie = WebConsole.cookie(WebConsole.loginCookie, in: request), constantTimeEqual(token, cookie) else {
            return console.refusal(.forbidden, "this sign-in form's CSRF token is missing or wrong (reload the page and try again)")
        }
        let name = form["name"] ?? ""
        let address = context.remoteIP
        if let until = console.throttle.blockedUntil(name: name, address: address, at: now) {
            logger.warning("console sign-in refused: too many failures", metadata: ["name": "\(name)", "address": "\(address)"])
            return loginForm(next: form["next"], problem: "Too many failed sign-ins: try again \(Timeline.relative(until, to: now)).", name: name, status: .tooManyRequests)
        }
        guard let person = await console.signIn.person(name: name, password: form.fields["password"] ?? "") else {
            console.throttle.recordFailure(name: name, address: address, at: now)
            logger.warning("console sign-in failed", metadata: ["name": "\(name)", "address": "\(address)"])
            // The same words for a wrong password and for a name nobody has.
            return loginForm(next: form["next"], problem: "Wrong name or password.", name: name, status: .unauthorized)
        }
        let session = console.sessions.start(for: person, at: now)
        logger.info("console sign-in", metadata: ["person": "\(person)", "address": "\(address)"])
        return console.redirect(to: console.safeNext(form["next"]), cookies: [
            console.setCookie(WebConsole.sessionCookie, session.id, maxAge: Int(console.sessions.lifetime.timeInterval)),
            console.setCookie(WebConsole.loginCookie, nil, maxAge: 0),
        ])
    }

    func logout(_ visitor: WebConsole.Visitor) -> Response {
        if let id = visitor.sessionID { console.sessions.end(id: id) }
        return console.redirect(to: console.base + "/login", cookies: [console.setCookie(WebConsole.sessionCookie, nil, maxAge: 0)])
    }

    // MARK: Alerts

    func alertsPage(_ request: Request, _ visitor: WebConsole.Visitor) async throws -> Response {
        let now = notifier.clock.now()
        let parameters = WebConsole.query(of: request)
        let status = parameters["status"].flatMap(AlertStatusFilter.init(rawValue:)) ?? .open
        func text(_ key: String) -> String? { parameters[key].flatMap { $0.isEmpty ? nil : $0 } }
        let query = AlertQuery(statuses: status.statuses, kind: text("kind"), environment: text("environment"), text: text("q"))
        let pageNumber = max(1, parameters["page"].flatMap { Int($0) } ?? 1)
        let page = try await notifier.alertPage(query, offset: (pageNumber - 1) * WebConsole.pageSize, limit: WebConsole.pageSize)
        func link(_ number: Int) -> String {
            var fields = [("status", status.rawValue)]
            for key in ["kind", "environment", "q"] { if let value = text(key) { fields.append((key, value)) } }
            if number > 1 { fields.append(("page", "\(number)")) }
            return console.base + "?" + fields.map { "\($0.0)=\(WebConsole.escape($0.1))" }.joined(separator: "&")
        }
        let back = link(pageNumber)
        let first = (pageNumber - 1) * WebConsole.pageSize
        var values: [String: Any] = [
            "title": "Alerts", "navAlerts": true, "refresh": "30", "total": "\(page.total)", "statusLabel": status == .all ? "" : status.rawValue,
            "statuses": AlertStatusFilter.allCases.map { ["value": $0.rawValue, "selected": $0 == status] },
            "kind": query.kind ?? "", "environment": query.environment ?? "", "q": query.text ?? "",
            "rows": page.standings.map { row -> [String: Any] in
                var values = ConsoleViews.alertRow(row, now: now, base: console.base, back: back)
                values["csrf"] = visitor.csrfToken
                values["base"] = console.base
                return values
            },
            "range": page.total == 0 ? "" : "\(first + 1)–\(first + page.standings.count) of \(page.total)",
        ]
        if pageNumber > 1 { values["previous"] = link(pageNumber - 1) }
        if first + page.standings.count < page.total { values["following"] = link(pageNumber + 1) }
        if let notice = console.notice(in: parameters) { values["notice"] = notice }
        return console.page("alerts", values, visitor: visitor, now: now)
    }

    func alertPage(id: Int64, _ request: Request, _ visitor: WebConsole.Visitor) async throws -> Response {
        let now = notifier.clock.now()
        guard let standing = try await notifier.standing(alertID: id) else {
            return console.page("message", ["title": "There is no alert #\(id)"], visitor: visitor, now: now, status: .notFound)
        }
        let timeline = try await notifier.timeline(alertID: id)
        let changes = try await notifier.changes(before: standing.alert)
        var values = ConsoleViews.alertDetails(standing, timeline: timeline, changes: changes, now: now)
        values["refresh"] = standing.alert.status.isOpen ? "30" : nil
        if let notice = console.notice(in: WebConsole.query(of: request)) { values["notice"] = notice }
        return console.page("alert", values, visitor: visitor, now: now)
    }

    /// Acknowledge or Resolve, recorded under the signed-in person's name exactly as `notify ack
    /// --by NAME --note NOTE` records it; the scheduler delivers what follows.
    func act(id: Int64, _ visitor: WebConsole.Visitor, _ form: ConsoleForm) async throws -> Response {
        let action: EventAction
        switch form["action"] {
        case "acknowledge": action = .acknowledge
        case "resolve": action = .resolve
        default: return console.refusal(.badRequest, "action: expected acknowledge or resolve")
        }
        var said: String
        do {
            let result = try await notifier.act(action, alertID: id, actor: visitor.person, note: form["note"], deliverNow: false)
            wake.signal()
            said = result.transition.change == .alreadyAcknowledged ? "Alert #\(id) was already acknowledged."
                : "Alert #\(id) \(action == .resolve ? "resolved" : "acknowledged") by \(visitor.person)."
            logger.info("console \(action.rawValue)", metadata: ["alert": "\(id)", "person": "\(visitor.person)"])
        } catch let error as Notifier.ActionError {
            said = "Nothing done: \(error)."
        }
        let back = console.safeNext(form["back"])
        return console.redirect(to: back + (back.contains("?") ? "&" : "?") + console.noticeQuery(said))
    }

    // MARK: On call

    func onCallPage(_ visitor: WebConsole.Visitor, problem: String? = nil, notice: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let now = notifier.clock.now()
        let stored = try await notifier.overrides(notEndedAt: now - 86_400)
        let contacts = notifier.contacts.keys.sorted()
        let schedules = notifier.schedules.values.sorted { $0.name < $1.name }.map { schedule -> [String: Any] in
            let feedURL = console.feed.map { console.base + "/calendar/schedule/\(WebConsole.escape(schedule.name)).ics?token=" + $0.token(for: .schedule(schedule.name)) }
            var values = ConsoleViews.schedule(schedule.adding(stored), stored: stored, contacts: contacts, person: visitor.person, now: now, feed: feedURL)
            values["csrf"] = visitor.csrfToken
            values["base"] = console.base
            return values
        }
        var values: [String: Any] = ["title": "On call", "navOnCall": true, "schedules": schedules, "feedsOff": console.feed == nil]
        if let feed = console.feed, notifier.contacts[visitor.person] != nil {
            values["personFeed"] = console.base + "/calendar/person/\(WebConsole.escape(visitor.person)).ics?token=" + feed.token(for: .person(visitor.person))
        }
        if let problem { values["problem"] = problem }
        if let notice { values["notice"] = notice }
        return console.page("oncall", values, visitor: visitor, now: now, status: status)
    }

    func addOverride(_ visitor: WebConsole.Visitor, _ form: ConsoleForm) async throws -> Response {
        let name = form["schedule"] ?? ""
        guard let schedule = notifier.schedules[name] else { return try await onCallPage(visitor, problem: "There is no schedule named \"\(name)\".", status: .badRequest) }
        guard let from = form["from"].flatMap({ ConsoleViews.parseInput($0, schedule.timeZone) }),
              let until = form["until"].flatMap({ ConsoleViews.parseInput($0, schedule.timeZone) }) else {
            return try await onCallPage(visitor, problem: "From and until must be times such as 2026-12-24T20:00.", status: .badRequest)
        }
        do {
            let override = try await notifier.addOverride(schedule: name, member: form["member"] ?? "", from: from, until: until, by: visitor.person)
            logger.info("console override added", metadata: ["schedule": "\(name)", "member": "\(override.member)", "person": "\(visitor.person)"])
            return console.redirect(to: console.base + "/oncall")
        } catch let error as OverrideError {
            return try await onCallPage(visitor, problem: "The override was not added: \(error).", status: .badRequest)
        }
    }

    func removeOverride(id: Int64, _ visitor: WebConsole.Visitor) async throws -> Response {
        _ = try await notifier.removeOverride(id: id)
        logger.info("console override removed", metadata: ["override": "\(id)", "person": "\(visitor.person)"])
        return console.redirect(to: console.base + "/oncall")
    }

    // MARK: Silences, heartbeats, status

    func silencesPage(_ visitor: WebConsole.Visitor, form: ConsoleForm? = nil, preview: [Alert]? = nil, problem: String? = nil,
                      status: HTTPResponse.Status = .ok) async throws -> Response {
        let now = notifier.clock.now()
        let (stored, unreadable) = try await notifier.silences(notEndedAt: now)
        let windows = notifier.maintenance.compactMap { $0.silence(at: now) }
        var values: [String: Any] = [
            "title": "Silences", "navSilences": true,
            "active": (stored + windows).map { ConsoleViews.silence($0, now: now) }.map { row -> [String: Any] in
                var row = row
                row["csrf"] = visitor.csrfToken
                row["base"] = console.base
                return row
            },
            "unreadable": unreadable.map(\.description), "hasUnreadable": !unreadable.isEmpty,
            "matchers": form?["matchers"] ?? "", "duration": form?["duration"] ?? "2h", "reason": form?["reason"] ?? "",
        ]
        if let preview {
            values["preview"] = ["count": Timeline.counted(preview.count, "open alert"), "alerts": preview.prefix(100).map { ["id": "\($0.id)", "summary": $0.summary] }]
        }
        if let problem { values["problem"] = problem }
        return console.page("silences", values, visitor: visitor, now: now, status: status)
    }

    /// Preview (the open alerts it would match) or add, from the same fields as `notify silence
    /// add --match ... --for ... --comment ...`.
    func addSilence(_ visitor: WebConsole.Visitor, _ form: ConsoleForm) async throws -> Response {
        let now = notifier.clock.now()
        let texts = (form["matchers"] ?? "").split(whereSeparator: \.isWhitespace).map(String.init)
        guard !texts.isEmpty else { return try await silencesPage(visitor, form: form, problem: "Give at least one matcher, such as environment=prod.", status: .badRequest) }
        var matchers: [RouteMatcher] = []
        for text in texts {
            do { matchers.append(try RouteMatcher.parse(text)) } catch {
                return try await silencesPage(visitor, form: form, problem: "Matcher \"\(text)\": \(error)", status: .badRequest)
            }
        }
        guard let length = DurationParser.parse(form["duration"] ?? ""), length > .zero else {
            return try await silencesPage(visitor, form: form, problem: "For: expected \(DurationParser.syntax)", status: .badRequest)
        }
        let silence: Silence
        do {
            silence = try Silence(matchers: matchers, startsAt: now, endsAt: now + length.timeInterval, comment: form["reason"], createdBy: visitor.person)
        } catch {
            return try await silencesPage(visitor, form: form, problem: "\(error)", status: .badRequest)
        }
        if form["step"] == "preview" {
            let open = try await notifier.standings(statuses: [.triggered, .acknowledged]).map(\.alert).filter(silence.matches)
            return try await silencesPage(visitor, form: form, preview: open)
        }
        let stored = try await notifier.addSilence(silence)
        logger.info("console silence added", metadata: ["silence": "\(stored.id)", "person": "\(visitor.person)"])
        return console.redirect(to: console.base + "/silences")
    }

    func expireSilence(id: Int64, _ visitor: WebConsole.Visitor) async throws -> Response {
        _ = try await notifier.expireSilence(id: id)
        wake.signal()
        logger.info("console silence expired", metadata: ["silence": "\(id)", "person": "\(visitor.person)"])
        return console.redirect(to: console.base + "/silences")
    }

    func heartbeatsPage(_ visitor: WebConsole.Visitor) async throws -> Response {
        let now = notifier.clock.now()
        let readings = try await notifier.heartbeatReadings()
        return console.page("heartbeats", ["title": "Heartbeats", "navHeartbeats": true, "refresh": "60",
                                           "rows": readings.map { ConsoleViews.heartbeat($0, now: now) }], visitor: visitor, now: now)
    }

    func statusPage(_ visitor: WebConsole.Visitor) async throws -> Response {
        let now = notifier.clock.now()
        let status = try await notifier.status()
        var values: [String: Any] = ["title": "Status", "navStatus": true, "refresh": "30",
                                     "text": status.text(state: nil, shared: notifier.sharesState)]
        if let deadManSwitch { values["deadManSwitch"] = DurationParser.format(deadManSwitch.settings.interval) }
        return console.page("status", values, visitor: visitor, now: now)
    }

    // MARK: Calendar feeds

    /// `/console/calendar/schedule/primary.ics?token=...` or `/console/calendar/person/alice.ics?token=...`:
    /// no sign-in (calendar apps cannot), the token is the key. 404 for anything not right, so
    /// a guess learns nothing.
    func calendar(kind: String, file: String, token: String) async throws -> Response {
        let now = notifier.clock.now()
        let notFound = console.refusal(.notFound, "no such calendar")
        guard let feed = console.feed, file.hasSuffix(".ics") else { return notFound }
        let name = String(file.dropLast(4)).removingPercentEncoding ?? ""
        let subject: CalendarFeed.Subject
        switch kind {
        case "schedule": subject = .schedule(name)
        case "person": subject = .person(name)
        default: return notFound
        }
        guard feed.accepts(token, for: subject) else { return notFound }
        let all = try await notifier.onCallSchedules(overridesEndingAfter: now - CalendarFeed.past)
        let schedules: [OnCallSchedule]
        switch subject {
        case .schedule(let name):
            guard let schedule = all[name] else { return notFound }
            schedules = [schedule]
        case .person(let name):
            guard notifier.contacts[name] != nil else { return notFound }
            schedules = Array(all.values)
        }
        var headers: HTTPFields = [.contentType: "text/calendar; charset=utf-8", .cacheControl: "private, max-age=300"]
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: CalendarFeed.render(subject, schedules: schedules, at: now))))
    }
}
