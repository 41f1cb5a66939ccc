import Alerting

/// Settings of a channel made of other channels of the config (`sms_failover`): they are built
/// after the channels they name, which ``ChannelContext/channels`` then holds, and checked
/// against the config's channels when it is read.
public protocol ComposedChannelSettings: ChannelSettings {
    /// The channels it is made of, by name.
    var members: [String] { get }
    /// Why these members cannot make it (one missing, another medium), or nil.
    func problem(with channels: [String: ChannelConfig]) -> String?
}

/// `type: sms_failover` and `type: voice_failover`: several SMS (or voice) channels in order,
/// each optionally limited to number prefixes.
public struct FailoverSettings: ComposedChannelSettings, Hashable {
    public struct Provider: Hashable, Sendable {
        public var channel: String
        public var prefixes: [String]

        public init(channel: String, prefixes: [String] = []) {
            self.channel = channel
            self.prefixes = prefixes
        }
    }

    public var medium: ContactMedium
    public var providers: [Provider]

    public init(medium: ContactMedium, providers: [Provider]) {
        self.medium = medium
        self.providers = providers
    }

    public var members: [String] { providers.map(\.channel) }

    public var summary: [String] {
        ["in order: " + providers.map { $0.channel + ($0.prefixes.isEmpty ? "" : " (\($0.prefixes.joined(separator: " ")))") }.joined(separator: ", ")]
    }

    public func problem(with channels: [String: ChannelConfig]) -> String? {
        for provider in providers {
            guard let channel = channels[provider.channel] else {
                return "no channel named \(quoted(provider.channel)) (channels: \(channels.keys.sorted().joined(separator: ", ")))"
            }
            if channel.settings is any ComposedChannelSettings { return "\(provider.channel) is itself made of other channels" }
            if channel.medium != medium { return "\(provider.channel) (\(channel.type)) does not reach people by \(medium.rawValue)" }
        }
        return nil
    }

    public func makeChannel(_ context: ChannelContext) throws -> any Alerting.Channel {
        let built = try providers.map { provider -> FailoverChannel.Provider in
            guard let channel = context.channels[provider.channel] else {
                throw ConfigError(path: "channels.\(context.name).providers", "no channel named \(quoted(provider.channel))")
            }
            return FailoverChannel.Provider(channel: channel, prefixes: provider.prefixes)
        }
        return try FailoverChannel(name: context.name, medium: medium, providers: built)
    }

    public static let smsType = type("sms_failover", medium: .sms)
    public static let voiceType = type("voice_failover", medium: .voice)

    private static func type(_ name: String, medium: ContactMedium) -> ChannelType {
        ChannelType(name, capabilities: .person(medium), keys: ["providers"]) { node in
            let list = try node.required("providers")
            let providers = try list.sequenceItems().map { item -> Provider in
                if case .scalar = item.node { return Provider(channel: try item.nonEmptyString()) }
                try item.checkKeys(allowed: ["channel", "prefixes"])
                let prefixes = try item.optional("prefixes")?.stringList() ?? []
                for (index, prefix) in prefixes.enumerated() where !(prefix.hasPrefix("+") && prefix.count > 1 && prefix.dropFirst().allSatisfy(\.isASCII) && prefix.dropFirst().allSatisfy(\.isNumber)) {
                    throw try item.required("prefixes").sequenceItems()[index].error("\(quoted(prefix)) is not a number prefix such as +1 or +44")
                }
                return Provider(channel: try item.required("channel").nonEmptyString(), prefixes: prefixes)
            }
            guard !providers.isEmpty else { throw list.error("needs at least one channel") }
            guard Set(providers.map(\.channel)).count == providers.count else { throw list.error("names a channel twice") }
            return FailoverSettings(medium: medium, providers: providers)
        }
    }
}
