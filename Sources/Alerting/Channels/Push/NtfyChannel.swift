import AsyncHTTPClient
import Foundation

/// Publishes to ntfy (ntfy.sh or your own server) as JSON to the server's root URL: to one
/// topic (`topic`), or to each person's own topic (their `ntfy:` address). Priority follows the
/// alert's severity (critical 5, the phone overriding Do Not Disturb where the person allows
/// it; error 4; warning and info 3) and a resolve notice goes at 3. An access token, when the
/// topic is protected, goes as `Authorization: Bearer`.
///
/// ntfy answers 200 with the stored message (`{"id": ...}`), or an error
/// `{"code": 42901, "http": 429, "error": "limit reached: too many requests"}`: 429 and 5xx are
/// retried, other 4xx (a bad topic, 401, 403) are permanent. Anyone who knows an unprotected
/// topic can read it: the topic and the token never appear in an outcome or `config check`.
///
/// With `actions` (`server.action_secret` and `public_url` set), a page about an open alert has
/// an Acknowledge button: an ntfy `http` action that the subscriber's app posts to `notify
/// serve` at a URL holding a signed single-use ``ActionToken``.
public struct NtfyChannel: Channel {
    /// `notify serve`'s path for the button; the token follows it.
    public static let actionPath = "/ntfy/action/"

    public enum Destination: Sendable, Hashable {
        case topic(Secret)
        /// Each recipient's own topic (``ContactMedium/ntfy``).
        case person
    }

    public let name: String
    public let destination: Destination
    /// Where the Acknowledge button posts; nil: no button.
    public let actions: ActionCallback?
    public let template: TemplateSelector? = TemplateSelector(family: "push", format: .text)
    private let token: Secret?
    private let baseURL: String
    private let poster: HTTPPoster
    private let clock: any AlertingClock

    public static func capabilities(for destination: Destination) -> ChannelCapabilities {
        destination == .person ? .person(.ntfy) : .place
    }

    public var capabilities: ChannelCapabilities {
        var capabilities = Self.capabilities(for: destination)
        capabilities.takesAcknowledgements = actions != nil
        return capabilities
    }

    public init(name: String, destination: Destination, token: Secret? = nil, actions: ActionCallback? = nil, baseURL: String = "https://ntfy.sh",
                client: HTTPClient, timeout: Duration = .seconds(10), clock: any AlertingClock = SystemClock()) {
        self.name = name
        self.actions = actions
        self.destination = destination
        self.token = token
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.poster = HTTPPoster(client: client, timeout: timeout)
        self.clock = clock
    }

    public func deliver(_ notification: Notification) async -> DeliveryOutcome {
        guard let rendered = notification.body else { return .permanent(reason: "nothing rendered for ntfy") }
        let topic: String
        switch destination {
        case .topic(let fixed): topic = fixed.exposedValue
        case .person:
            guard let address = notification.recipientAddress(for: .ntfy) else { return notification.missingAddressOutcome(for: .ntfy) }
            topic = address
        }
        let text = PushText(rendered: rendered)
        let alert = notification.alert
        let resolved = alert.status == .resolved
        var message: [String: Any] = [
            "topic": topic,
            "title": PushText.cut(text.title, to: 250),
            // ntfy keeps a message of at most 4,096 bytes as text; longer becomes an attachment.
            "message": Self.cutBytes(text.message, to: 3900),
            "priority": resolved ? 3 : Self.priority(alert.severity),
            "tags": resolved ? ["white_check_mark"] : [Self.tag(alert.severity)],
        ]
        if let link = alert.links.first { message["click"] = link.href }
        if let actions, alert.status == .triggered {
            let token = actions.token(alertID: alert.id, action: .acknowledge, now: clock.now())
            // `clear`: the notification goes away only once notify answered 2xx.
            message["actions"] = [["action": "http", "label": "Acknowledge", "url": actions.url(Self.actionPath + token), "method": "POST", "clear": true]]
        }
        guard let body = try? JSONSerialization.data(withJSONObject: message, options: [.sortedKeys]) else {
            return .permanent(reason: "cannot encode the ntfy message")
        }
        let headers = token.map { ["Authorization": "Bearer \($0.exposedValue)"] } ?? [:]
        let now = clock.now()
        return await poster.deliver(url: baseURL + "/", json: body, headers: headers) { answer in
            Self.outcome(status: answer.status, retryAfter: answer.headers.first(name: "Retry-After"), body: answer.data, now: now)
        }
    }

    static func outcome(status: UInt, retryAfter: String?, body: Data, now: Date) -> DeliveryOutcome {
        let answer = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
        if (200..<300).contains(status) { return .delivered(providerID: answer?["id"] as? String) }
        let detail = (answer?["error"] as? String).map { "ntfy: " + String($0.prefix(200)) }
        return HTTPResponseClassifier.classify(status: status, retryAfter: retryAfter, detail: detail, now: now)
    }

    static func priority(_ severity: Severity) -> Int {
        switch severity {
        case .critical: 5
        case .error: 4
        case .warning, .info: 3
        }
    }

    /// An emoji short code ntfy shows before the title.
    static func tag(_ severity: Severity) -> String {
        switch severity {
        case .critical: "rotating_light"
        case .error: "red_circle"
        case .warning: "warning"
        case .info: "information_source"
        }
    }

    static func cutBytes(_ text: String, to limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        var out = ""
        for character in text {
            if out.utf8.count + character.utf8.count > limit - 3 { break }
            out.append(character)
        }
        return out + "…"
    }
}
