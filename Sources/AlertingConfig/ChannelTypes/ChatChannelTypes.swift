import Alerting

/// `type: teams`: an Adaptive Card through a Teams Workflows webhook (`url`).
public struct TeamsSettings: ChannelSettings, Hashable {
    public var url: Secret

    public init(url: Secret) { self.url = url }

    public var summary: [String] { ["workflow url set"] }

    public func makeChannel(_ context: ChannelContext) throws -> any Alerting.Channel {
        TeamsChannel(name: context.name, url: url, client: context.client, timeout: context.timeout, clock: context.clock)
    }

    public static let type = ChannelType("teams", keys: ["url", "webhook_url"]) { node in
        let urlNode = try node.optional("url") ?? node.required("webhook_url")
        return TeamsSettings(url: Secret(try urlNode.url()))
    }
}

/// `type: mattermost`: an incoming webhook (`url`), optionally to another `channel` and under
/// another `username`.
public struct MattermostSettings: ChannelSettings, Hashable {
    public var url: Secret
    public var channel: String?
    public var username: String?

    public init(url: Secret, channel: String? = nil, username: String? = nil) {
        self.url = url
        self.channel = channel
        self.username = username
    }

    public var summary: [String] { ["webhook url set"] + (channel.map { ["posts in \($0)"] } ?? []) }

    public func makeChannel(_ context: ChannelContext) throws -> any Alerting.Channel {
        MattermostChannel(name: context.name, url: url, channel: channel, username: username, buttons: context.actionCallback, client: context.client,
                                 timeout: context.timeout, clock: context.clock)
    }

    public static let type = ChannelType("mattermost", keys: ["url", "webhook_url", "channel", "username"]) { node in
        let urlNode = try node.optional("url") ?? node.required("webhook_url")
        return MattermostSettings(url: Secret(try urlNode.url()), channel: try node.optional("channel")?.nonEmptyString(),
                                  username: try node.optional("username")?.nonEmptyString())
    }
}

/// `type: telegram` (each person's chat with the bot, their `telegram:` address) and
/// `type: telegram_chat` (one group or channel, `chat:`): a bot's `token`.
public struct TelegramSettings: ChannelSettings, Hashable {
    public var token: Secret
    public var destination: TelegramChannel.Destination
    public var baseURL: String

    public init(token: Secret, destination: TelegramChannel.Destination, baseURL: String = "https://api.telegram.org") {
        self.token = token
        self.destination = destination
        self.baseURL = baseURL
    }

    public var summary: [String] {
        switch destination {
        case .chat(let chat): ["bot token set", "posts in chat \(chat)"]
        case .person: ["bot token set", "to each person's telegram chat"]
        }
    }

    public func makeChannel(_ context: ChannelContext) throws -> any Alerting.Channel {
        TelegramChannel(name: context.name, token: token, destination: destination, signer: context.actionCallback?.signer, baseURL: baseURL,
                        client: context.client, timeout: context.timeout, clock: context.clock)
    }

    public static let personType = ChannelType("telegram", capabilities: TelegramChannel.capabilities(for: .person), keys: ["token", "base_url"]) { node in
        try read(node, destination: .person)
    }

    public static let chatType = ChannelType("telegram_chat", capabilities: TelegramChannel.capabilities(for: .chat("")), keys: ["token", "chat", "base_url"]) { node in
        try read(node, destination: .chat(try node.required("chat").nonEmptyString()))
    }

    private static func read(_ node: ConfigNode, destination: TelegramChannel.Destination) throws -> TelegramSettings {
        TelegramSettings(token: Secret(try node.required("token").nonEmptyString()), destination: destination,
                         baseURL: try node.optional("base_url")?.url() ?? "https://api.telegram.org")
    }
}
