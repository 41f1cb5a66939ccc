/// What a channel can do, declared by the channel itself. The engine reads this, never the
/// channel's type: a channel written in your own module threads its replies or reaches people
/// exactly as a built-in one does.
public struct ChannelCapabilities: Sendable, Hashable {
    /// How it reaches a person (SMS, a call), or nil for a channel that posts to a place (a
    /// Slack channel, a webhook). A channel with a medium is given one ``Contact`` per
    /// notification (``Notification/recipient``), must be named with `to:` in routes and
    /// policies, and is throttled per contact and medium.
    public var medium: ContactMedium?
    /// Later messages about an alert go in the thread of the first one on this channel: the
    /// engine hands it the first message's provider id (``Notification/thread``).
    public var threadsReplies: Bool
    /// People can acknowledge or resolve from the message itself (a button, an SMS reply, a
    /// keypad), through `notify serve`.
    public var takesAcknowledgements: Bool
    /// How many deliveries it takes at once, when the channel knows better than
    /// `delivery.max_concurrent` (a provider with a documented limit; a channel that writes
    /// a line in this process and has nothing to overload). Nil: `max_concurrent`.
    public var concurrency: Int?

    public init(medium: ContactMedium? = nil, threadsReplies: Bool = false, takesAcknowledgements: Bool = false, concurrency: Int? = nil) {
        self.medium = medium
        self.threadsReplies = threadsReplies
        self.takesAcknowledgements = takesAcknowledgements
        self.concurrency = concurrency
    }

    /// Posts to a place, and nothing more: a webhook, the console.
    public static let place = ChannelCapabilities()

    /// Reaches one person at a time by `medium`.
    public static func person(_ medium: ContactMedium, takesAcknowledgements: Bool = false) -> ChannelCapabilities {
        ChannelCapabilities(medium: medium, takesAcknowledgements: takesAcknowledgements)
    }
}
