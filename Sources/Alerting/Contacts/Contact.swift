/// A person notify can reach: an address per medium (a phone for SMS and calls, a Telegram
/// chat, a Pushover user key, an ntfy topic, an email address), and a Slack member id.
public struct Contact: Sendable, Hashable {
    public var name: String
    public var phone: PhoneNumber?
    /// Slack member id (`U0123ABCD`), for mentions and acknowledgements from Slack.
    public var slackMemberID: String?
    /// Addresses by ``ContactMedium/addressKey`` for every medium but the phone's:
    /// `["telegram": "123456789", "email": "alice@example.com"]`.
    public var addresses: [String: String]
    /// This person's own limits, replacing the channel's or the default for that medium.
    public var throttles: [ContactMedium: ThrottleRule]

    public init(name: String, phone: PhoneNumber? = nil, slackMemberID: String? = nil, email: String? = nil,
                addresses: [String: String] = [:], throttles: [ContactMedium: ThrottleRule] = [:]) {
        self.name = name
        self.phone = phone
        self.slackMemberID = slackMemberID
        self.addresses = addresses
        self.throttles = throttles
        if let email { self.addresses["email"] = email }
    }

    public var email: String? {
        get { addresses["email"] }
        set { addresses["email"] = newValue }
    }

    /// Where `medium` reaches this person, or nil when they have no such address.
    public func address(for medium: ContactMedium) -> String? {
        medium.addressKey == "phone" ? phone?.e164 : addresses[medium.addressKey]
    }
}
