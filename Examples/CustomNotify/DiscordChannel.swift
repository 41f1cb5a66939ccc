import Alerting
import AlertingConfig
import Foundation

/// Posts each page to a Discord channel through an incoming webhook: a channel written outside
/// notify, the way yours would be. It declares what it can do (it posts to a place), makes one
/// attempt per call, and lets the shared HTTP step classify the answer: Discord answers 204 (or
/// 200 with `?wait=true`), 429 with `Retry-After` when rate limited, 404 for a deleted webhook.
struct DiscordChannel: Alerting.Channel {
    let name: String
    /// The webhook URL holds its token: a secret, never printed or put in a reason.
    let webhookURL: Secret
    let poster: HTTPPoster
    /// The console templates: plain text, which is what Discord shows.
    let template: TemplateSelector? = TemplateSelector(family: "console", format: .text)

    /// Discord refuses content over 2,000 characters.
    static let maxContent = 2000

    func deliver(_ notification: Alerting.Notification) async -> DeliveryOutcome {
        let text = notification.body ?? notification.alert.summary
        let content = text.count > Self.maxContent ? String(text.prefix(Self.maxContent - 1)) + "…" : text
        guard let body = try? JSONSerialization.data(withJSONObject: ["content": content, "allowed_mentions": ["parse": [String]()]]),
              let json = String(data: body, encoding: .utf8) else {
            return .permanent(reason: "could not encode the message")
        }
        return await poster.deliver(url: webhookURL, json: json)
    }
}

/// `type: discord` in a config file: `{type: discord, webhook_url: "${DISCORD_WEBHOOK_URL}"}`.
struct DiscordSettings: ChannelSettings {
    var webhookURL: Secret

    var summary: [String] { ["webhook_url set"] }

    func makeChannel(_ context: ChannelContext) throws -> any Alerting.Channel {
        DiscordChannel(name: context.name, webhookURL: webhookURL, poster: HTTPPoster(client: context.client, timeout: context.timeout))
    }

    static let type = ChannelType("discord", keys: ["webhook_url"]) { node in
        DiscordSettings(webhookURL: Secret(try node.required("webhook_url").url()))
    }
}
