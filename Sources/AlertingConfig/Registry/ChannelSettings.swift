import Alerting
import AsyncHTTPClient

/// A channel's section of the config, read and checked: what its type's reader returns, and
/// what builds the channel once the runtime has an HTTP client. Never prints a secret.
public protocol ChannelSettings: Sendable {
    /// Facts for `notify config check` ("url set", "from +15550100"): never a URL, token or
    /// header value. The default says nothing.
    var summary: [String] { get }

    /// Builds the channel.
    /// - Throws: a ``ConfigError`` (or any error, reported as one) when the settings cannot make
    ///   a working channel.
    func makeChannel(_ context: ChannelContext) throws -> any Alerting.Channel
}

extension ChannelSettings {
    public var summary: [String] { [] }
}

/// What a channel is built with, besides its own settings.
public struct ChannelContext: Sendable {
    /// Its name in the config: what routes and policies call it.
    public var name: String
    /// What its type declared it can do (the built channel should say the same).
    public var capabilities: ChannelCapabilities
    /// The HTTP client every channel of the runtime shares.
    public var client: HTTPClient
    /// Each request's deadline: the channel's own `timeout:`, else `delivery.timeout`.
    public var timeout: Duration
    public var clock: any AlertingClock
    /// Where console channels write.
    public var console: ConsoleOutput
    /// `server.public_url`: where a provider calls `notify serve` back (replies, buttons,
    /// keypresses); nil when the config has no server with a public address.
    public var publicURL: String?
    /// Where acknowledgement buttons and links call back, and what signs them
    /// (`server.public_url` and `server.action_secret`); nil without either.
    public var actionCallback: ActionCallback?
    /// The channels built before this one: every channel that is not made of others, for one
    /// that is (``ComposedChannelSettings``).
    public var channels: [String: any Alerting.Channel] = [:]

    public init(name: String, capabilities: ChannelCapabilities = .place, client: HTTPClient, timeout: Duration = .seconds(10),
                clock: any AlertingClock = SystemClock(), console: ConsoleOutput = .standardOutput, publicURL: String? = nil,
                actionCallback: ActionCallback? = nil) {
        self.name = name
        self.capabilities = capabilities
        self.client = client
        self.timeout = timeout
        self.clock = clock
        self.console = console
        self.publicURL = publicURL
        self.actionCallback = actionCallback
    }
}
