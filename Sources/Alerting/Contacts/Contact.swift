/// A person notify can reach: by phone (SMS, voice), in Slack, by email.
public struct Contact: Sendable, Hashable {
    public var name: String
    public var phone: PhoneNumber?
    /// Slack member id (`U0123ABCD`), for mentions and, later, acknowledgements from Slack.
    public var slackMemberID: String?
    public var email: String?
    /// This person's own limits, replacing the channel's or the default for that medium.
    public var throttles: [ContactMedium: ThrottleRule]

    public init(name: String, phone: PhoneNumber? = nil, slackMemberID: String? = nil, email: String? = nil, throttles: [ContactMedium: ThrottleRule] = [:]) {
        self.name = name
        self.phone = phone
        self.slackMemberID = slackMemberID
        self.email = email
        self.throttles = throttles
    }
}

/// How a channel reaches a person. Throttles are counted per contact and medium, so two SMS
/// gateways share one budget for the same phone.
public enum ContactMedium: String, Sendable, Hashable, CaseIterable, Codable {
    case sms, voice
}
