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
    /// `detectors:`: each detector turned on, by its key (`continuous_failure`, or a type
    /// registered in the loader's ``ConfigRegistry``), in file order.
    public var detectors: [(name: String, detector: any Detector)] = []
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

/// One channel as the config names it: its type, what the type read from its section, and the
/// keys every channel has. Its settings never print a secret.
public struct ChannelConfig: Sendable {
    public var name: String
    /// What `type:` says.
    public var type: String
    /// What its type declared its channels can do.
    public var capabilities: ChannelCapabilities
    /// Its section, as its type read it; builds the channel.
    public var settings: any ChannelSettings
    /// Overrides ``DeliverySettings/timeout`` for this channel.
    public var timeout: Duration?
    /// Overrides ``DeliverySettings/maxConcurrent`` for this channel: its deliveries in flight.
    public var maxConcurrent: Int?
    /// For channels that reach people: this channel's limit per contact, replacing the default
    /// for its medium (a contact's own limit replaces this one).
    public var throttle: ThrottleRule?

    public init(name: String, type: String, capabilities: ChannelCapabilities = .place, settings: any ChannelSettings, timeout: Duration? = nil,
                maxConcurrent: Int? = nil, throttle: ThrottleRule? = nil) {
        self.name = name
        self.type = type
        self.capabilities = capabilities
        self.settings = settings
        self.timeout = timeout
        self.maxConcurrent = maxConcurrent
        self.throttle = throttle
    }

    /// How the channel reaches people, or nil for channels that post to a place.
    public var medium: ContactMedium? { capabilities.medium }

    /// Why it cannot deliver (its secret's variable is not set), or nil when it can.
    public var unavailableReason: String? { (settings as? UnavailableChannelSettings)?.reason }
}
