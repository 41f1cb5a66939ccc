/// A configured channel that cannot deliver: its secret's environment variable is not set.
/// Every delivery through it fails permanently, saying why, so the timeline shows it and the
/// escalation's fallback moves on; the other channels deliver as usual.
public struct UnavailableChannel: Channel {
    public let name: String
    public let template: TemplateSelector? = nil
    /// What the channel would have been able to do, so routes and throttles treat it alike.
    public let capabilities: ChannelCapabilities
    public let reason: String

    public init(name: String, capabilities: ChannelCapabilities, reason: String) {
        self.name = name
        self.capabilities = capabilities
        self.reason = reason
    }

    public func deliver(_ notification: Notification) async -> DeliveryOutcome {
        .permanent(reason: "channel not configured: \(reason)")
    }
}
