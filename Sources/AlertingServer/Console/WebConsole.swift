import Alerting
import AlertingConfig
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Mustache

/// The web console `notify serve` shows under `/console` (behind `server.public_url`'s path):
/// the pages' templates, who is signed in, and the headers every answer carries.
struct WebConsole: Sendable {
    /// Where the console is, as the browser sees it: `/console`, or `/notify/console` behind a
    /// proxy at `https://ops.example.com/notify`.
    let base: String
    let sessions: ConsoleSessions
    let throttle: LoginThrottle
    let signIn: ConsoleSignIn
    let feed: CalendarFeed?
    let library: MustacheLibrary
    /// `Secure` cookies, unless notify listens on loopback and is reached over plain HTTP.
    let secureCookies: Bool
    /// Makes the CSRF token of a person a trusted proxy signed in (they have no session).
    private let csrfKey: SymmetricKey

    static let sessionCookie = "notify_session"
    static let loginCookie = "notify_login"
    static let pageSize = 50

    init(config: ServerConfig, contacts: [String: Contact]) throws {
        base = config.pathPrefix + "/console"
        sessions = ConsoleSessions(lifetime: config.console.sessionLifetime)
        throttle = LoginThrottle(attempts: config.console.loginAttempts, window: config.console.loginWindow)
        signIn = ConsoleSignIn(settings: config.console, contacts: contacts)
        feed = (config.console.feedSecret ?? config.actionSecret).map(CalendarFeed.init(secret:))
        library = try ConsoleTemplates.library()
        secureCookies = !(config.isLoopback && !(config.publicURL?.lowercased().hasPrefix("https://") ?? false))
        csrfKey = SymmetricKey(size: .bits256)
    }

    /// A notice for the page a form redirects to (`Alert #3 acknowledged by alice.`), signed, so
    /// that a link made elsewhere cannot put words of its own on a console page.
    func noticeQuery(_ text: String) -> String {
        "done=" + Self.escape(text) + "&sig=" + noticeSignature(text)
    }

    /// The notice a page's query carries, when its signature is this instance's.
    func notice(in query: [String: String]) -> String? {
        guard let text = query["done"], let signature = query["sig"], constantTimeEqual(signature, noticeSignature(text)) else { return nil }
        return text
    }

    private func noticeSignature(_ text: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(("notice\u{0}" + text).utf8), using: csrfKey)
        return Data(mac).prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    /// An alert's link as the page may show it: http and https only (a `javascript:` link in
    /// an event is shown as text).
    static func isWebLink(_ href: String) -> Bool {
        let lower = href.lowercased()
        return lower.hasPrefix("https://") || lower.hasPrefix("http://")
    }

    /// Who is asking: the signed-in person and the token their forms must carry.
    struct Visitor: Sendable {
        var person: String
        var csrfToken: String
        /// The session's id; nil for a person a trusted proxy vouches for.
        var sessionID: String?
    }

    func visitor(_ request: Request, context: NotifyRequestContext, now: Date) -> Visitor? {
        if let header = signIn.settings.trustedHeader, let name = HTTPField.Name(header),
           let person = signIn.person(fromHeader: request.headers[name], remoteIP: context.remoteIP) {
            let mac = HMAC<SHA256>.authenticationCode(for: Data(("csrf\u{0}" + person).utf8), using: csrfKey)
            return Visitor(person: person, csrfToken: Data(mac).base64EncodedString(), sessionID: nil)
        }
        guard let id = Self.cookie(Self.sessionCookie, in: request), let session = sessions.session(id: id, at: now) else { return nil }
        return Visitor(person: session.person, csrfToken: session.csrfToken, sessionID: session.id)
    }

    static func cookie(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for part in header.split(separator: ";") {
                let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if pair.count == 2, pair[0] == name { return String(pair[1]) }
            }
        }
        return nil
    }

    /// A `Set-Cookie` value: HttpOnly and SameSite=Lax always (a link from Slack or an email
    /// still opens the console signed in; a form posted from elsewhere carries no cookie),
    /// Secure unless on loopback over HTTP. Nil `value`: removes it.
    func setCookie(_ name: String, _ value: String?, maxAge: Int) -> String {
        var parts = ["\(name)=\(value ?? "")", "Path=\(base)", "HttpOnly", "SameSite=Lax", "Max-Age=\(value == nil ? 0 : maxAge)"]
        if secureCookies { parts.append("Secure") }
        return parts.joined(separator: "; ")
    }

    // MARK: Answers

    /// No inline script or style, nothing from elsewhere, no framing.
    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    static func securityHeaders(_ headers: inout HTTPFields) {
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        headers[.xContentTypeOptions] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        headers[.cacheControl] = "no-store"
    }

    func page(_ template: String, _ values: [String: Any], visitor: Visitor?, now: Date, status: HTTPResponse.Status = .ok,
              cookies: [String] = []) -> Response {
        var context = values
        context["base"] = base
        context["version"] = NotifyVersion.current
        context["now"] = Timeline.time(now)
        if let visitor {
            context["person"] = visitor.person
            context["csrf"] = visitor.csrfToken
        }
        let html = library.render(context, withTemplate: template) ?? "template \(template) is missing"
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8"]
        Self.securityHeaders(&headers)
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    func redirect(to location: String, cookies: [String] = []) -> Response {
        var headers: HTTPFields = [.location: location]
        Self.securityHeaders(&headers)
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: .seeOther, headers: headers)
    }

    /// A plain refusal: nothing changed.
    func refusal(_ status: HTTPResponse.Status, _ message: String) -> Response {
        var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8"]
        Self.securityHeaders(&headers)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: message + "\n")))
    }

    static func asset(_ text: String, type: String) -> Response {
        var headers: HTTPFields = [.contentType: type]
        securityHeaders(&headers)
        headers[.cacheControl] = "public, max-age=3600"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The query string as a browser writes it (`+` for a space), first value of each name.
    static func query(of request: Request) -> [String: String] {
        var fields: [String: String] = [:]
        for (key, value) in HTTPForm.decode(request.uri.query ?? "") where fields[key] == nil { fields[key] = value }
        return fields
    }

    /// A value for a URL's query or path: percent-encoded, a space as `%20`.
    static func escape(_ text: String) -> String {
        HTTPForm.escape(text).replacingOccurrences(of: "+", with: "%20")
    }

    /// Where a sign-in goes afterwards: a console page, never another site.
    func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix(base + "/") || next.hasPrefix(base + "?") || next == base, !next.contains("//"), !next.contains("\\") else { return base }
        return next
    }
}

/// A form body, as a browser posts it.
struct ConsoleForm {
    let fields: [String: String]

    init(_ body: [UInt8]) {
        var fields: [String: String] = [:]
        for (key, value) in HTTPForm.decode(String(decoding: body, as: UTF8.self)) where fields[key] == nil { fields[key] = value }
        self.fields = fields
    }

    subscript(_ key: String) -> String? {
        let value = fields[key]?.trimmingCharacters(in: .whitespacesAndNewlines)
        return value?.isEmpty == false ? value : nil
    }
}
