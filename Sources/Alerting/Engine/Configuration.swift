/// What a ``Notifier`` is told, in one value, as AsyncHTTPClient's `HTTPClient.Configuration`
/// configures a client: how alerts are routed and escalated, who the people are, and how pages
/// are delivered. Every part has a default, so `Configuration(routes: [...])` is a whole one.
///
/// A config file maps into it in one place (`NotifyConfig.configuration`, in AlertingConfig).
public struct Configuration: Sendable {
    public var routing: Routing
    /// The people targets, policies and schedules name, with their numbers and throttles.
    public var contacts: [Contact]
    public var delivery: Delivery

    public init(routing: Routing = Routing(), contacts: [Contact] = [], delivery: Delivery = Delivery()) {
        self.routing = routing
        self.contacts = contacts
        self.delivery = delivery
    }

    /// The usual shorthand: routes, and what they name.
    public init(routes: [Route], policies: [EscalationPolicy] = [], schedules: [OnCallSchedule] = [], contacts: [Contact] = [],
                delivery: Delivery = Delivery()) {
        self.init(routing: Routing(routes: routes, policies: policies, schedules: schedules), contacts: contacts, delivery: delivery)
    }

    /// Who is paged about what, and when.
    public struct Routing: Sendable {
        /// In order; the first match wins (a route with `continue` lets the next ones match too).
        public var routes: [Route]
        /// Escalation policies that routes name in `policy:`.
        public var policies: [EscalationPolicy]
        /// On-call schedules that targets name as `oncall:NAME`.
        public var schedules: [OnCallSchedule]
        /// Planned maintenance: while a window is open, matching alerts page nobody.
        public var maintenance: [MaintenanceWindow]

        public init(routes: [Route] = [], policies: [EscalationPolicy] = [], schedules: [OnCallSchedule] = [], maintenance: [MaintenanceWindow] = []) {
            self.routes = routes
            self.policies = policies
            self.schedules = schedules
            self.maintenance = maintenance
        }
    }

    /// How pages go out.
    public struct Delivery: Sendable {
        /// The outbox: this process's claims, their lease, concurrency, how long a page is retried.
        public var outbox: OutboxSettings
        /// Attempts, backoff and `Retry-After` within one delivery.
        public var retry: RetryPolicy
        /// Per channel: its limit per contact, replacing the default for the channel's medium (a
        /// contact's own limit replaces this one).
        public var throttles: [String: ThrottleRule]
        /// A cap on different alerts paging one person, then digests. Off when nil.
        public var stormControl: StormControl?
        /// What renders each channel's messages: the built-in templates, or yours laid over them.
        public var templates: TemplateSet
        /// Transmission stages of yours, run in order between rendering and sending (see
        /// ``TransmissionStage``).
        public var stages: [any TransmissionStage]

        public init(outbox: OutboxSettings = OutboxSettings(), retry: RetryPolicy = RetryPolicy(), throttles: [String: ThrottleRule] = [:],
                    stormControl: StormControl? = nil, templates: TemplateSet = .builtIn, stages: [any TransmissionStage] = []) {
            self.outbox = outbox
            self.retry = retry
            self.throttles = throttles
            self.stormControl = stormControl
            self.templates = templates
            self.stages = stages
        }
    }
}
