/// Delivers one rendered notification to one destination: the extension point for providers.
///
/// A channel knows *how* to deliver; the engine decides who is notified and when, and the
/// ``Deliverer`` retries. So a channel makes exactly one attempt and says what came of it.
/// A new provider (Teams, ntfy, a paging gateway) is a type in your own module that conforms.
public protocol Channel: Sendable {
    /// The name the config gives it; routes refer to channels by name.
    var name: String { get }
    /// Which templates render this channel's messages, or nil when it builds its own body.
    var template: TemplateSelector? { get }
    /// What it can do: reach a person by a medium, thread replies, take acknowledgements back.
    /// The engine asks this, never the type. The default: it posts to a place.
    var capabilities: ChannelCapabilities { get }
    /// More renderings of the same notification, by name, for a channel that sends several
    /// bodies at once (an email's HTML part beside its text): given in
    /// ``Notification/alternates``. The default: none.
    var alternateTemplates: [String: TemplateSelector] { get }
    /// One attempt. Must not throw: every failure is a ``DeliveryOutcome``. Must not put a secret
    /// (URL, token) into the outcome's reason.
    func deliver(_ notification: Notification) async -> DeliveryOutcome
}

extension Channel {
    public var capabilities: ChannelCapabilities { .place }
    public var alternateTemplates: [String: TemplateSelector] { [:] }

    /// How it reaches a person, or nil for a place (``ChannelCapabilities/medium``).
    public var medium: ContactMedium? { capabilities.medium }
}

extension Notification {
    /// The number to text or call, for channels that reach people by phone.
    public var recipientPhone: PhoneNumber? { recipient?.phone }

    /// What such a channel reports when there is no number to use.
    public var missingPhoneOutcome: DeliveryOutcome {
        .permanent(reason: recipient.map { "contact \($0.name) has no phone number" } ?? "no recipient")
    }

    /// Where `medium` reaches the recipient (their Telegram chat, Pushover key, ntfy topic).
    public func recipientAddress(for medium: ContactMedium) -> String? {
        recipient?.address(for: medium)
    }

    /// What a channel reports when the recipient has no address for its medium.
    public func missingAddressOutcome(for medium: ContactMedium) -> DeliveryOutcome {
        .permanent(reason: recipient.map { "contact \($0.name) has no \(medium.addressKey) address" } ?? "no recipient")
    }
}

/// One alert, rendered for one channel (and one person, for channels that reach people).
public struct Notification: Sendable {
    public var alert: Alert
    /// The event that caused this notification (the trigger that opened the alert, or the resolve).
    public var event: AlertEvent
    /// The text the channel's template produced; nil for channels without a template.
    public var body: String?
    /// What its ``Channel/alternateTemplates`` produced, by the same names.
    public var alternates: [String: String] = [:]
    /// Who to reach, for channels with a medium (``ChannelCapabilities/medium``).
    public var recipient: Contact?
    /// Notifications to the same person that a throttle held back since the last message.
    public var digest: Digest?
    /// The provider's id of the first message about this alert on this channel, for channels
    /// that thread later messages under it (Slack's `ts`).
    public var thread: String?

    public init(alert: Alert, event: AlertEvent, body: String?, recipient: Contact? = nil, digest: Digest? = nil, thread: String? = nil) {
        self.alert = alert
        self.event = event
        self.body = body
        self.recipient = recipient
        self.digest = digest
        self.thread = thread
    }
}
