import Alerting
/// The whole configuration: channels, routes, delivery limits, templates.
public struct NotifyConfig: Sendable {
    public var channels: [String: ChannelConfig]
    /// People that routes can name in `to:`.
    public var contacts: [String: Contact]
    /// Escalation policies that routes can name in `policy:`.
    public var policies: [String: EscalationPolicy] = [:]
    /// On-call schedules that targets can name as `oncall:NAME`.
    public var schedules: [String: OnCallSchedule] = [:]
    /// Planned maintenance: while a window is open, matching alerts page nobody.
    public var maintenance: [MaintenanceWindow] = []
    /// Dead-man's switches.
    public var heartbeats: [String: Heartbeat] = [:]
    /// `detectors.continuous_failure`.
    public var continuousFailure: ContinuousFailureDetector?
    /// `storm_control`: a cap on different alerts per contact, then digests. Off when nil.
    public var stormControl: StormControl?
    /// `server:`, for `notify serve`.
    public var server: ServerConfig?
    /// In config order; the first match wins.
    public var routes: [Route]
    public var delivery: DeliverySettings
    /// A folder of `*.mustache` files laid over the built-in templates.
    public var templatesDirectory: String?
    /// The state file (`state:`); see ``StateLocation`` for what wins over it.
    public var statePath: String?
    /// `auto_resolve:`: alerts that resolve themselves after a quiet while.
    public var autoResolve: [AutoResolveRule] = []
    /// `dead_man_switch:`: a URL pinged while notify is healthy.
    public var deadManSwitch: DeadMansSwitchSettings?

    public init(channels: [String: ChannelConfig], contacts: [String: Contact] = [:], routes: [Route], delivery: DeliverySettings = DeliverySettings(), templatesDirectory: String? = nil) {
        self.channels = channels
        self.contacts = contacts
        self.routes = routes
        self.delivery = delivery
        self.templatesDirectory = templatesDirectory
    }

    /// True when some route has no matchers, so every alert reaches someone.
    public var hasDefaultRoute: Bool { routes.contains { $0.matchers.isEmpty } }
}

/// Limits for every delivery, with defaults that suit paging.
public struct DeliverySettings: Sendable, Hashable {
    /// Each request's deadline, from connect to the last byte of the answer.
    public var timeout: Duration = .seconds(10)
    public var retry = RetryPolicy()
    /// Deliveries in flight at once.
    public var maxConcurrent = 32
    /// How long a page that keeps failing with retryable errors is tried again before it is
    /// given up (it is back in the outbox meanwhile, so a restart does not lose it).
    public var giveUpAfter: Duration = .seconds(3600)

    /// How long a claim on an outbox item lasts (`delivery.lease`). It is renewed every third
    /// of it while the delivery runs, so it need not outlast a slow delivery; it is how long
    /// the pages an instance held wait, when it dies, before another instance takes them over.
    public var leaseDuration: Duration = .seconds(30)

    public init() {}
}

/// One channel's settings. Secrets are ``Secret``s, so printing a config never shows them.
public struct ChannelConfig: Sendable, Hashable {
    public enum Settings: Sendable, Hashable {
        case slack(webhookURL: Secret)
        case slackBot(token: Secret, channel: String, baseURL: String)
        case webhook(url: Secret, headers: [String: Secret])
        case console
        case twilioSMS(account: TwilioAccount, sender: TwilioSMSChannel.Sender, statusCallback: String?, maxSegments: Int)
        case twilioVoice(account: TwilioAccount, from: String, callbackURL: String?, ringTimeout: Duration, machineDetection: String?)
        case httpGateway(medium: ContactMedium, spec: HTTPGatewaySpec, maxSegments: Int)
        /// A channel whose secret's environment variable is not set (``ConfigLoader/deferUnsetSecrets``):
        /// every other command works; a delivery through it fails permanently with `reason`.
        case unavailable(type: String, medium: ContactMedium?, reason: String)
    }

    public var name: String
    public var settings: Settings
    /// Overrides ``DeliverySettings/timeout`` for this channel.
    public var timeout: Duration?
    /// For SMS and voice channels: this channel's limit per contact, replacing the default for
    /// its medium (a contact's own limit replaces this one).
    public var throttle: ThrottleRule?

    public init(name: String, settings: Settings, timeout: Duration? = nil, throttle: ThrottleRule? = nil) {
        self.name = name
        self.settings = settings
        self.timeout = timeout
        self.throttle = throttle
    }

    public var type: String {
        switch settings {
        case .slack: "slack"
        case .slackBot: "slack_bot"
        case .webhook: "webhook"
        case .console: "console"
        case .twilioSMS: "twilio_sms"
        case .twilioVoice: "twilio_voice"
        case .httpGateway(.sms, _, _): "http_sms"
        case .httpGateway(.voice, _, _): "http_voice"
        case .unavailable(let type, _, _): type
        }
    }

    /// How the channel reaches people, or nil for channels that post to a place.
    public var medium: ContactMedium? {
        switch settings {
        case .slack, .slackBot, .webhook, .console: nil
        case .twilioSMS: .sms
        case .twilioVoice: .voice
        case .httpGateway(let medium, _, _): medium
        case .unavailable(_, let medium, _): medium
        }
    }

    public static let types = ["slack", "slack_bot", "webhook", "console", "twilio_sms", "twilio_voice", "http_sms", "http_voice"]
}
