/// A configured channel that cannot deliver: its secret's environment variable is not set.
/// Every delivery through it fails permanently, saying why, so the timeline shows it and the
/// escalation's fallback moves on; the other channels deliver as usual.
public struct UnavailableChannel: Channel {
    public let name: String
    public let template: TemplateSelector? = nil
    public let medium: ContactMedium?
    public let reason: String

    public init(name: String, medium: ContactMedium?, reason: String) {
        self.name = name
        self.medium = medium
        self.reason = reason
    }

    public func deliver(_ notification: Notification) async -> DeliveryOutcome {
        .permanent(reason: "channel not configured: \(reason)")
    }
}
