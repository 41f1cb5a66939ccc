import Alerting

/// A kind of channel a config file can name, `channels: {ops: {type: NAME, ...}}`: its name,
/// what its channels can do, and how its section is read. The built-in types are registered
/// exactly as yours are (``ConfigRegistry/register(_:)-(ChannelType)``), so a channel written in
/// your own module works in `config check`, `notify test`, routes, policies, `daemon` and
/// `serve` with no change to notify.
public struct ChannelType: Sendable {
    /// What `type:` says.
    public var name: String
    /// What channels of this type can do, known before any is built: a route that names one
    /// that reaches people must say whom (`to:`), and its throttle is read.
    public var capabilities: ChannelCapabilities
    /// The keys its section may have besides `type` and `timeout` (and `throttle`, for a type
    /// that reaches people). Any other key is an error naming the keys allowed.
    public var keys: [String]
    /// Reads its section (the keys are already checked). Throw ``ConfigNode/error(_:)`` to name
    /// the line and key at fault.
    public var read: @Sendable (ConfigNode) throws -> any ChannelSettings

    public init(_ name: String, capabilities: ChannelCapabilities = .place, keys: [String],
                read: @escaping @Sendable (ConfigNode) throws -> any ChannelSettings) {
        self.name = name
        self.capabilities = capabilities
        self.keys = keys
        self.read = read
    }

    /// The keys every channel section may have.
    static let commonKeys = ["type", "timeout", "max_concurrent"]

    /// The keys a section of this type may have.
    var allowedKeys: [String] {
        Self.commonKeys + (capabilities.medium != nil ? ["throttle"] : []) + keys
    }
}
