import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Posts a Block Kit message to a Slack incoming webhook.
///
/// Slack answers 200 with the text `ok`; errors are a status and a plain-text code
/// (`404 channel_not_found`). 429 carries `Retry-After` in seconds. 429 and 5xx are retried,
/// every other 4xx is permanent: the webhook needs fixing, not another try.
public struct SlackWebhookChannel: Channel {
    public let name: String
    /// The webhook URL is the secret: whoever has it can post.
    public let webhookURL: Secret
    public let template: TemplateSelector? = TemplateSelector(family: "slack", format: .slackJSON)
    private let poster: HTTPPoster
    private let clock: any AlertingClock

    public init(name: String, webhookURL: Secret, client: HTTPClient, timeout: Duration = .seconds(10), clock: any AlertingClock = SystemClock()) {
        self.name = name
        self.webhookURL = webhookURL
        self.poster = HTTPPoster(client: client, timeout: timeout)
        self.clock = clock
    }

    public func deliver(_ notification: Notification) async -> DeliveryOutcome {
        guard let body = notification.body else { return .permanent(reason: "nothing rendered for Slack") }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        headers.add(name: "User-Agent", value: NotifyVersion.userAgent)
        return await poster.deliver(url: webhookURL, headers: headers, body: ByteBuffer(string: body), detailLimit: 200, now: clock.now())
    }
}
