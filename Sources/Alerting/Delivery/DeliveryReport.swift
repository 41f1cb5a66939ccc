import Foundation

/// Everything that happened while delivering one notification through one channel.
public struct DeliveryReport: Sendable, Hashable {
    /// One try, as the timeline shows it.
    public struct Attempt: Sendable, Hashable {
        public var startedAt: Date
        public var outcome: DeliveryOutcome

        public init(startedAt: Date, outcome: DeliveryOutcome) {
            self.startedAt = startedAt
            self.outcome = outcome
        }
    }

    public var channel: String
    /// The contact's name, for channels that reach people.
    public var recipient: String?
    public var attempts: [Attempt]

    public init(channel: String, recipient: String? = nil, attempts: [Attempt]) {
        self.channel = channel
        self.recipient = recipient
        self.attempts = attempts
    }

    /// `ops-slack`, or `twilio-sms to alice`.
    public var destination: String {
        recipient.map { "\(channel) to \($0)" } ?? channel
    }

    /// The provider's id for the message, when it was delivered and the provider gave one.
    public var providerID: String? {
        if case .delivered(let id) = outcome { return id }
        return nil
    }

    /// The outcome of the last attempt; a report with no attempt is a permanent failure.
    public var outcome: DeliveryOutcome {
        attempts.last?.outcome ?? .permanent(reason: "no attempt was made")
    }
}
