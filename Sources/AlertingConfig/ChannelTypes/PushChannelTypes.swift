import Alerting

/// `type: pushover`: each person's `pushover:` user key, with the application's `token`.
public struct PushoverSettings: ChannelSettings, Hashable {
    public var token: Secret
    public var settings: PushoverChannel.Settings
    public var baseURL: String

    public init(token: Secret, settings: PushoverChannel.Settings = .init(), baseURL: String = "https://api.pushover.net") {
        self.token = token
        self.settings = settings
        self.baseURL = baseURL
    }

    public var summary: [String] {
        let priority = settings.priority == 2
            ? "emergency priority: repeats every \(DurationParser.format(settings.retry)) for \(DurationParser.format(settings.expire)) until acknowledged"
            : "priority \(settings.priority)"
        return ["application token set", priority]
    }

    public func makeChannel(_ context: ChannelContext) throws -> any Alerting.Channel {
        PushoverChannel(name: context.name, token: token, settings: settings, callback: context.actionCallback, baseURL: baseURL, client: context.client,
                               timeout: context.timeout, clock: context.clock)
    }

    public static let type = ChannelType("pushover", capabilities: .person(.pushover), keys: ["token", "priority", "retry", "expire", "sound", "base_url"]) { node in
        var settings = PushoverChannel.Settings()
        if let priority = try node.optional("priority") { settings.priority = try priority.int(in: -2...2) }
        if let retry = try node.optional("retry") { settings.retry = try retry.duration() }
        if let expire = try node.optional("expire") { settings.expire = try expire.duration() }
        settings.sound = try node.optional("sound")?.nonEmptyString()
        if let problem = settings.problem { throw node.error(problem) }
        return PushoverSettings(token: Secret(try node.required("token").nonEmptyString()), settings: settings,
                                baseURL: try node.optional("base_url")?.url() ?? "https://api.pushover.net")
    }
}

/// `type: ntfy` (each person's `ntfy:` topic) and `type: ntfy_topic` (one `topic:`), on
/// `base_url` (ntfy.sh unless you run your own), with an access `token` for protected topics.
public struct NtfySettings: ChannelSettings, Hashable {
    public var destination: NtfyChannel.Destination
    public var token: Secret?
    public var baseURL: String

    public init(destination: NtfyChannel.Destination, token: Secret? = nil, baseURL: String = "https://ntfy.sh") {
        self.destination = destination
        self.token = token
        self.baseURL = baseURL
    }

    /// The topic is never shown: on an open server, whoever knows it can read the pages.
    public var summary: [String] {
        [destination == .person ? "to each person's ntfy topic" : "topic set", "server \(baseURL)"] + (token == nil ? [] : ["access token set"])
    }

    public func makeChannel(_ context: ChannelContext) throws -> any Alerting.Channel {
        NtfyChannel(name: context.name, destination: destination, token: token, actions: context.actionCallback, baseURL: baseURL, client: context.client,
                           timeout: context.timeout, clock: context.clock)
    }

    public static let personType = ChannelType("ntfy", capabilities: NtfyChannel.capabilities(for: .person), keys: ["token", "base_url"]) { node in
        try read(node, destination: .person)
    }

    public static let topicType = ChannelType("ntfy_topic", capabilities: .place, keys: ["topic", "token", "base_url"]) { node in
        try read(node, destination: .topic(Secret(try node.required("topic").nonEmptyString())))
    }

    private static func read(_ node: ConfigNode, destination: NtfyChannel.Destination) throws -> NtfySettings {
        NtfySettings(destination: destination, token: try node.optional("token").map { Secret(try $0.nonEmptyString()) },
                     baseURL: try node.optional("base_url")?.url() ?? "https://ntfy.sh")
    }
}
