import AsyncHTTPClient
import Foundation

/// Posts to a Mattermost incoming webhook (`https://chat.example.com/hooks/<id>`), in its own
/// channel or in `channel` (a name, or `@user` for a direct message) when given.
///
/// Mattermost answers 200 `ok`, or an error `{"id": "web.incoming_webhook.invalid.app_error",
/// "message": ...}`: the `id` says what is wrong and never holds the hook. A deleted hook is a
/// 400, not a 404. 429 (when the server limits rates) and 5xx are retried, except 501
/// (incoming webhooks switched off on the server), which, like every other 4xx, is permanent.
///
/// With `buttons` (`server.action_secret` and `public_url` set), an open alert's message has
/// Acknowledge and Resolve buttons. Mattermost's server calls `notify serve` back with the
/// button's context, a signed single-use ``ActionToken`` (Mattermost signs nothing itself), and
/// notify answers with the message as it now stands.
public struct MattermostChannel: Channel {
    /// The path of `notify serve` that takes button presses.
    public static let callbackPath = "/mattermost/action"

    public let name: String
    /// The whole URL is the credential.
    public let url: Secret
    /// Overrides the hook's own channel.
    public let channel: String?
    /// Shown as the poster when the server allows overrides.
    public let username: String?
    /// Where the buttons call back; nil: no buttons.
    public let buttons: ActionCallback?
    public let template: TemplateSelector? = TemplateSelector(family: "mattermost", format: .json)
    private let poster: HTTPPoster
    private let clock: any AlertingClock

    public var capabilities: ChannelCapabilities { ChannelCapabilities(takesAcknowledgements: buttons != nil) }

    public init(name: String, url: Secret, channel: String? = nil, username: String? = nil, buttons: ActionCallback? = nil, client: HTTPClient,
                timeout: Duration = .seconds(10), clock: any AlertingClock = SystemClock()) {
        self.name = name
        self.buttons = buttons
        self.url = url
        self.channel = channel
        self.username = username
        self.poster = HTTPPoster(client: client, timeout: timeout)
        self.clock = clock
    }

    public func deliver(_ notification: Notification) async -> DeliveryOutcome {
        guard let rendered = notification.body, var message = message(alert: notification.alert, rendered: rendered) else {
            return .permanent(reason: "nothing rendered for Mattermost")
        }
        if let channel { message["channel"] = channel }
        if let username { message["username"] = username }
        guard let body = try? JSONSerialization.data(withJSONObject: message, options: [.sortedKeys]) else {
            return .permanent(reason: "cannot encode the Mattermost message")
        }
        let now = clock.now()
        return await poster.deliver(url: url.exposedValue, json: body) { answer in
            Self.outcome(status: answer.status, retryAfter: answer.headers.first(name: "Retry-After"), body: answer.data, now: now)
        }
    }

    /// The rendered message with the buttons that apply to the alert as it stands: Acknowledge
    /// and Resolve while it is triggered, Resolve once acknowledged, none once resolved. Also
    /// what a button press answers with, to update the post in place.
    public func message(alert: Alert, rendered: String) -> [String: Any]? {
        guard var message = (try? JSONSerialization.jsonObject(with: Data(rendered.utf8))) as? [String: Any] else { return nil }
        guard let buttons else { return message }
        let now = clock.now()
        var actions: [[String: Any]] = []
        func button(_ id: String, _ title: String, _ style: String, _ action: EventAction) -> [String: Any] {
            ["id": id, "type": "button", "name": title, "style": style,
             "integration": ["url": buttons.url(Self.callbackPath), "context": ["token": buttons.token(alertID: alert.id, action: action, now: now)]]]
        }
        if alert.status == .triggered { actions.append(button("notifyack", "Acknowledge", "primary", .acknowledge)) }
        if alert.status.isOpen { actions.append(button("notifyresolve", "Resolve", "good", .resolve)) }
        var attachments = message["attachments"] as? [[String: Any]] ?? []
        if attachments.isEmpty { attachments = [[:]] }
        attachments[attachments.count - 1]["actions"] = actions
        message["attachments"] = attachments
        return message
    }

    static func outcome(status: UInt, retryAfter: String?, body: Data, now: Date) -> DeliveryOutcome {
        if (200..<300).contains(status) { return .delivered(providerID: nil) }
        let answer = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
        let detail = (answer?["id"] as? String).map { "Mattermost: " + String($0.prefix(120)) }
        if status == 501 { return .permanent(reason: "HTTP 501" + (detail.map { " \($0)" } ?? "") + " (incoming webhooks are off on the server)") }
        return HTTPResponseClassifier.classify(status: status, retryAfter: retryAfter, detail: detail, now: now)
    }
}
