/// How a channel reaches a person, and so which of the person's addresses it uses. Throttles are
/// counted per contact and medium, so two SMS gateways share one budget for the same phone.
///
/// Open, not an enum: a channel of your own reaches people by a medium of its own
/// (`ContactMedium("discord")`), and contacts in the config then take a `discord:` address.
public struct ContactMedium: RawRepresentable, Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ name: String) { self.rawValue = name }

    public static let sms = ContactMedium("sms")
    public static let voice = ContactMedium("voice")
    public static let email = ContactMedium("email")
    /// A Telegram chat id: the person's private chat with the bot.
    public static let telegram = ContactMedium("telegram")
    /// A Pushover user (or group) key.
    public static let pushover = ContactMedium("pushover")
    /// An ntfy topic the person's phone subscribes to.
    public static let ntfy = ContactMedium("ntfy")

    /// notify's own media.
    public static let builtIn: [ContactMedium] = [.sms, .voice, .email, .telegram, .pushover, .ntfy]

    /// The contact's key that holds the address this medium uses: `phone` for SMS and calls,
    /// otherwise the medium's own name (`telegram: "123456"`, `email: "a@example.com"`).
    public var addressKey: String {
        self == .sms || self == .voice ? "phone" : rawValue
    }

    public var description: String { rawValue }

    public static func < (lhs: ContactMedium, rhs: ContactMedium) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
