import AsyncHTTPClient
import Foundation

/// Pushes to each person's phone with Pushover (`POST /1/messages.json`), to their `pushover:`
/// user (or group) key. A page goes at emergency priority by default: the phone sounds every
/// `retry` until someone acknowledges it in the app, for at most `expire`. Resolve notices go
/// at normal priority.
///
/// Pushover answers 200 `{"status": 1, "request": "...", "receipt": "..."}` (a receipt for an
/// emergency message), or 4xx `{"status": 0, "errors": [...]}`, which repeating will not fix.
/// 429 means this month's messages are used up: permanent, so escalation goes on to the next
/// step rather than waiting weeks. 5xx and timeouts are retried (Pushover asks for at least
/// 5 s between tries). The application token never appears in an outcome.
///
/// With `callback` (`server.action_secret` and `public_url` set), an emergency page names a
/// callback URL holding a signed single-use ``ActionToken``: when the person acknowledges it in
/// the app, Pushover posts there and notify acknowledges the alert. An alert acknowledged or
/// resolved anywhere else cancels the repeats (``withdraw(alert:)``).
public struct PushoverChannel: WithdrawingChannel {
    /// `notify serve`'s path for Pushover's acknowledgement callbacks; the token follows it.
    public static let callbackPath = "/pushover/callback/"

    public struct Settings: Sendable, Hashable {
        /// -2 (no alert) to 2 (emergency: repeats until acknowledged).
        public var priority: Int
        /// Emergency only: how often the phone repeats it (at least 30 s).
        public var retry: Duration
        /// Emergency only: how long it keeps repeating (at most 3 h).
        public var expire: Duration
        /// A sound name of Pushover's, or nil for the person's default.
        public var sound: String?

        public init(priority: Int = 2, retry: Duration = .seconds(60), expire: Duration = .seconds(3600), sound: String? = nil) {
            self.priority = priority
            self.retry = retry
            self.expire = expire
            self.sound = sound
        }

        /// Pushover's bounds: priority −2…2, retry ≥ 30 s, expire ≤ 3 h.
        public var problem: String? {
            if !(-2...2).contains(priority) { return "priority must be -2 to 2" }
            if retry < .seconds(30) { return "retry must be at least 30s (Pushover's minimum)" }
            if expire > .seconds(10800) || expire < retry { return "expire must be between retry and 3h (Pushover's maximum)" }
            return nil
        }
    }

    public let name: String
    public let settings: Settings
    /// Where Pushover reports an acknowledgement; nil: no callback.
    public let callback: ActionCallback?
    public let template: TemplateSelector? = TemplateSelector(family: "push", format: .text)
    public var capabilities: ChannelCapabilities { .person(.pushover, takesAcknowledgements: callback != nil && settings.priority == 2) }
    private let token: Secret
    private let baseURL: String
    private let poster: HTTPPoster
    private let clock: any AlertingClock

    public init(name: String, token: Secret, settings: Settings = Settings(), callback: ActionCallback? = nil, baseURL: String = "https://api.pushover.net",
                client: HTTPClient, timeout: Duration = .seconds(10), clock: any AlertingClock = SystemClock()) {
        self.name = name
        self.callback = callback
        self.token = token
        self.settings = settings
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.poster = HTTPPoster(client: client, timeout: timeout)
        self.clock = clock
    }

    public func deliver(_ notification: Notification) async -> DeliveryOutcome {
        guard let rendered = notification.body else { return .permanent(reason: "nothing rendered for Pushover") }
        guard let user = notification.recipientAddress(for: .pushover) else { return notification.missingAddressOutcome(for: .pushover) }
        let text = PushText(rendered: rendered)
        let resolved = notification.alert.status == .resolved
        let priority = resolved ? min(settings.priority, 0) : settings.priority
        var fields: [(String, String)] = [
            ("token", token.exposedValue), ("user", user),
            ("title", PushText.cut(text.title, to: 250)), ("message", PushText.cut(text.message, to: 1024)),
            ("priority", String(priority)), ("timestamp", String(Int((notification.event.timestamp ?? notification.alert.lastSeen).timeIntervalSince1970))),
        ]
        if priority == 2 {
            fields += [("retry", String(settings.retry.components.seconds)), ("expire", String(settings.expire.components.seconds)),
                       // A tag per alert, so that notify can cancel the repeats once it is acknowledged elsewhere.
                       ("tags", Self.tag(notification.alert.id))]
            if let callback {
                let token = callback.token(alertID: notification.alert.id, action: .acknowledge, now: clock.now())
                fields.append(("callback", callback.url(Self.callbackPath + token)))
            }
        }
        if let sound = settings.sound { fields.append(("sound", sound)) }
        if let link = notification.alert.links.first {
            fields += [("url", String(link.href.prefix(512))), ("url_title", PushText.cut(link.text ?? link.href, to: 100))]
        }
        let now = clock.now()
        return await poster.deliver(url: "\(baseURL)/1/messages.json", form: fields) { answer in
            Self.outcome(status: answer.status, body: answer.data, now: now)
        }
    }

    static func tag(_ alertID: Int64) -> String { "notify-alert-\(alertID)" }

    /// Cancels the repeats of this alert's emergency pages (`cancel_by_tag`): it was
    /// acknowledged or resolved, here or elsewhere.
    public func withdraw(alert: Alert) async -> DeliveryOutcome {
        guard settings.priority == 2 else { return .delivered(providerID: nil) }
        let now = clock.now()
        return await poster.deliver(url: "\(baseURL)/1/receipts/cancel_by_tag/\(Self.tag(alert.id)).json", form: [("token", token.exposedValue)]) { answer in
            Self.outcome(status: answer.status, body: answer.data, now: now)
        }
    }

    /// What Pushover's answer means. A delivered emergency message's provider id is its receipt.
    static func outcome(status: UInt, body: Data, now: Date) -> DeliveryOutcome {
        let answer = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
        let errors = (answer?["errors"] as? [String])?.joined(separator: "; ").prefix(200).description
        switch status {
        case 200..<300 where answer?["status"] as? Int == 1:
            return .delivered(providerID: (answer?["receipt"] as? String) ?? (answer?["request"] as? String))
        case 200..<300:
            return .retryable(reason: "Pushover: an answer without status 1", retryAfter: nil)
        case 429:
            return .permanent(reason: "Pushover: this month's message limit is used up")
        case 500..<600:
            // At least 5 s between tries, as Pushover asks.
            return .retryable(reason: "HTTP \(status)", retryAfter: .seconds(5))
        default:
            return HTTPResponseClassifier.classify(status: status, retryAfter: nil, detail: errors.map { "Pushover: \($0)" }, now: now)
        }
    }
}
