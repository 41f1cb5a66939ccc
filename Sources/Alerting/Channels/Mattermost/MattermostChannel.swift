import AsyncHTTPClient
import Foundation

/// Posts to a Mattermost incoming webhook (`https://chat.example.com/hooks/<id>`), in its own
/// channel or in `channel` (a name, or `@user` for a direct message) when given.
///
/// Mattermost answers 200 `ok`, or an error `{"id": "web.incoming_webhook.invalid.app_error",
/// "message": ...}`: the `id` says what is wrong and never holds the hook. A deleted hook is a
/// 400, not a 404. 429 (when the server limits rates) and 5xx are retried, except 501
/// (incoming webhooks switched off on the server), which, like every other 4xx, is permanent.
public struct MattermostChannel: Channel {
    public let name: String
    /// The whole URL is the credential.
    public let url: Secret
    /// Overrides the hook's own channel.
    public let channel: String?
    /// Shown as the poster when the server allows overrides.
    public let username: String?
    public let template: TemplateSelector? = TemplateSelector(family: "mattermost", format: .json)
    private let poster: HTTPPoster
    private let clock: any AlertingClock

    public init(name: String, url: Secret, channel: String? = nil, username: String? = nil, client: HTTPClient, timeout: Duration = .seconds(10),
                clock: any AlertingClock = SystemClock()) {
        self.name = name
        self.url = url
        self.channel = channel
        self.username = username
        self.poster = HTTPPoster(client: client, timeout: timeout)
        self.clock = clock
    }

    public func deliver(_ notification: Notification) async -> DeliveryOutcome {
        guard let rendered = notification.body,
              var message = (try? JSONSerialization.jsonObject(with: Data(rendered.utf8))) as? [String: Any] else {
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

    static func outcome(status: UInt, retryAfter: String?, body: Data, now: Date) -> DeliveryOutcome {
        if (200..<300).contains(status) { return .delivered(providerID: nil) }
        let answer = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
        let detail = (answer?["id"] as? String).map { "Mattermost: " + String($0.prefix(120)) }
        if status == 501 { return .permanent(reason: "HTTP 501" + (detail.map { " \($0)" } ?? "") + " (incoming webhooks are off on the server)") }
        return HTTPResponseClassifier.classify(status: status, retryAfter: retryAfter, detail: detail, now: now)
    }
}
