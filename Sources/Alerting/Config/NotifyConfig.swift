/// The whole configuration: channels, routes, delivery limits, templates.
public struct NotifyConfig: Sendable {
    public var channels: [String: ChannelConfig]
    /// In config order; the first match wins.
    public var routes: [Route]
    public var delivery: DeliverySettings
    /// A folder of `*.mustache` files laid over the built-in templates.
    public var templatesDirectory: String?

    public init(channels: [String: ChannelConfig], routes: [Route], delivery: DeliverySettings = DeliverySettings(), templatesDirectory: String? = nil) {
        self.channels = channels
        self.routes = routes
        self.delivery = delivery
        self.templatesDirectory = templatesDirectory
    }

    /// True when some route has no matchers, so every alert reaches someone.
    public var hasDefaultRoute: Bool { routes.contains { $0.matchers.isEmpty } }
}

/// Limits for every delivery, with defaults that suit paging.
public struct DeliverySettings: Sendable, Hashable {
    /// Each request's deadline, from connect to the last byte of the answer.
    public var timeout: Duration = .seconds(10)
    public var retry = RetryPolicy()
    /// Deliveries in flight at once during `notify watch`.
    public var maxConcurrent = 32

    public init() {}
}

/// One channel's settings. Secrets are ``Secret``s, so printing a config never shows them.
public struct ChannelConfig: Sendable, Hashable {
    public enum Settings: Sendable, Hashable {
        case slack(webhookURL: Secret)
        case webhook(url: Secret, headers: [String: Secret])
        case console
    }

    public var name: String
    public var settings: Settings
    /// Overrides ``DeliverySettings/timeout`` for this channel.
    public var timeout: Duration?

    public init(name: String, settings: Settings, timeout: Duration? = nil) {
        self.name = name
        self.settings = settings
        self.timeout = timeout
    }

    public var type: String {
        switch settings {
        case .slack: "slack"
        case .webhook: "webhook"
        case .console: "console"
        }
    }

    public static let types = ["slack", "webhook", "console"]
}
