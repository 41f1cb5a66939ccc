import Alerting

/// `type: slack`: an incoming webhook (`webhook_url`, or `url`).
public struct SlackWebhookSettings: ChannelSettings, Hashable {
    public var webhookURL: Secret

    public init(webhookURL: Secret) {
        self.webhookURL = webhookURL
    }

    public var summary: [String] { ["webhook_url set"] }

    public func makeChannel(_ context: ChannelContext) throws -> any Alerting.Channel {
        SlackWebhookChannel(name: context.name, webhookURL: webhookURL, client: context.client, timeout: context.timeout, clock: context.clock)
    }

    public static let type = ChannelType("slack", keys: ["webhook_url", "url"]) { node in
        let urlNode = try node.optional("url") ?? node.required("webhook_url")
        return SlackWebhookSettings(webhookURL: Secret(try urlNode.url()))
    }
}

/// `type: slack_bot`: the Web API with a bot token, buttons and threads.
public struct SlackBotSettings: ChannelSettings, Hashable {
    public var token: Secret
    public var conversation: String
    public var baseURL: String

    public init(token: Secret, conversation: String, baseURL: String = "https://slack.com/api") {
        self.token = token
        self.conversation = conversation
        self.baseURL = baseURL
    }

    public var summary: [String] { ["token set; posts in \(conversation) with Acknowledge/Resolve buttons"] }

    public func makeChannel(_ context: ChannelContext) throws -> any Alerting.Channel {
        SlackBotChannel(name: context.name, token: token, conversation: conversation, baseURL: baseURL, client: context.client, timeout: context.timeout,
                        clock: context.clock)
    }

    public static let type = ChannelType("slack_bot", capabilities: SlackBotChannel.declaredCapabilities, keys: ["token", "channel", "base_url"]) { node in
        SlackBotSettings(token: Secret(try node.required("token").nonEmptyString()), conversation: try node.required("channel").nonEmptyString(),
                         baseURL: try node.optional("base_url")?.url() ?? "https://slack.com/api")
    }
}
