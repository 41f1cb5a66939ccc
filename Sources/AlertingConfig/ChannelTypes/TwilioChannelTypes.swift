import Alerting

/// `type: twilio_sms`: SMS through Twilio's Messages API.
public struct TwilioSMSSettings: ChannelSettings, Hashable {
    public var account: TwilioAccount
    public var sender: TwilioSMSChannel.Sender
    public var statusCallback: String?
    public var maxSegments: Int

    public init(account: TwilioAccount, sender: TwilioSMSChannel.Sender, statusCallback: String? = nil, maxSegments: Int = 1) {
        self.account = account
        self.sender = sender
        self.statusCallback = statusCallback
        self.maxSegments = maxSegments
    }

    public var summary: [String] {
        let from = switch sender {
        case .from(let number): "from \(number)"
        case .messagingService(let sid): "messaging service \(sid)"
        }
        return ["account \(account.accountSID)", from, "\(maxSegments) segment\(maxSegments == 1 ? "" : "s") at most"]
    }

    /// Replies reach notify when `notify serve` has a public address: then a page says how to
    /// acknowledge it.
    public func makeChannel(_ context: ChannelContext) throws -> any Alerting.Channel {
        TwilioSMSChannel(name: context.name, account: account, sender: sender, statusCallback: statusCallback, maxSegments: maxSegments,
                         repliesAccepted: context.publicURL != nil, client: context.client, timeout: context.timeout, clock: context.clock)
    }

    public static let type = ChannelType("twilio_sms", capabilities: .person(.sms, takesAcknowledgements: true),
                                         keys: TwilioAccount.configKeys + ["max_segments", "from", "messaging_service_sid", "status_callback"]) { node in
        let sender: TwilioSMSChannel.Sender
        switch (try node.optional("from"), try node.optional("messaging_service_sid")) {
        case (let from?, nil): sender = .from(try from.nonEmptyString())
        case (nil, let service?): sender = .messagingService(try service.nonEmptyString())
        case (_?, _?): throw node.error("give from or messaging_service_sid, not both")
        case (nil, nil): throw node.missing("from", "missing (or give messaging_service_sid)")
        }
        return TwilioSMSSettings(account: try TwilioAccount(node), sender: sender, statusCallback: try node.optional("status_callback")?.url(),
                                 maxSegments: try node.optional("max_segments")?.int(in: 1...10) ?? 1)
    }
}

/// `type: twilio_voice`: calls through Twilio's Calls API, with a keypad menu when notify serve
/// can be called back.
public struct TwilioVoiceSettings: ChannelSettings, Hashable {
    public var account: TwilioAccount
    public var from: String
    /// Where the keypad digits go; nil: `server.public_url`, if there is one.
    public var callbackURL: String?
    public var ringTimeout: Duration
    public var machineDetection: String?

    public init(account: TwilioAccount, from: String, callbackURL: String? = nil, ringTimeout: Duration = .seconds(30), machineDetection: String? = nil) {
        self.account = account
        self.from = from
        self.callbackURL = callbackURL
        self.ringTimeout = ringTimeout
        self.machineDetection = machineDetection
    }

    public var summary: [String] {
        ["account \(account.accountSID)", "from \(from)", "rings \(DurationParser.format(ringTimeout))",
         callbackURL == nil ? "press 4 to ack, 6 to resolve when server.public_url is set" : "press 4 to ack, 6 to resolve"]
    }

    public func makeChannel(_ context: ChannelContext) throws -> any Alerting.Channel {
        TwilioVoiceChannel(name: context.name, account: account, from: from, callbackURL: callbackURL ?? context.publicURL, ringTimeout: ringTimeout,
                           machineDetection: machineDetection, client: context.client, timeout: context.timeout, clock: context.clock)
    }

    public static let type = ChannelType("twilio_voice", capabilities: .person(.voice, takesAcknowledgements: true),
                                         keys: TwilioAccount.configKeys + ["from", "callback_url", "ring_timeout", "machine_detection"]) { node in
        var machineDetection: String?
        if let detection = try node.optional("machine_detection") {
            let value = try detection.string()
            guard ["Enable", "DetectMessageEnd"].contains(value) else { throw detection.error("\(quoted(value)) is not one of Enable, DetectMessageEnd") }
            machineDetection = value
        }
        var ringTimeout = Duration.seconds(30)
        if let ring = try node.optional("ring_timeout") {
            ringTimeout = try ring.duration()
            guard ringTimeout >= .seconds(5), ringTimeout <= .seconds(600) else { throw ring.error("must be from 5s to 10m (Twilio's limits)") }
        }
        return TwilioVoiceSettings(account: try TwilioAccount(node), from: try node.required("from").nonEmptyString(),
                                   callbackURL: try node.optional("callback_url")?.url(), ringTimeout: ringTimeout, machineDetection: machineDetection)
    }
}

extension TwilioAccount {
    static let configKeys = ["account_sid", "auth_token", "base_url"]

    /// `account_sid`, `auth_token` and an optional `base_url` of a Twilio channel's section.
    init(_ node: ConfigNode) throws {
        self.init(accountSID: try node.required("account_sid").nonEmptyString(), authToken: Secret(try node.required("auth_token").nonEmptyString()),
                  baseURL: try node.optional("base_url")?.url() ?? TwilioAccount.defaultBaseURL)
    }
}
