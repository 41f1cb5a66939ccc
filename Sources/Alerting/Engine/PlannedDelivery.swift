/// A delivery the engine has decided on and not yet made: one alert to one channel.
public struct PlannedDelivery: Sendable {
    public var alert: Alert
    /// The event that caused it (the opening trigger, or the resolve).
    public var event: AlertEvent
    public var channel: String
    /// The person to reach, for channels that reach people.
    public var recipient: Contact?
    /// The route that chose the channel.
    public var route: String

    public init(alert: Alert, event: AlertEvent, channel: String, recipient: Contact? = nil, route: String) {
        self.alert = alert
        self.event = event
        self.channel = channel
        self.recipient = recipient
        self.route = route
    }
}

/// What ingesting one event decided.
public struct IngestResult: Sendable {
    public var transition: AlertTransition
    /// The route the alert took; nil when no route matched.
    public var route: Route?
    /// True when the event should have paged someone but no route matched it.
    public var unrouted: Bool
}

/// One delivery the engine made from the outbox.
public struct OutboxDelivery: Sendable {
    public var item: OutboxItem
    public var report: DeliveryReport
}

/// Everything that came of one event: what it did to the alert and each delivery's report.
public struct ProcessingResult: Sendable {
    public var transition: AlertTransition
    public var route: Route?
    /// This event's alert's deliveries made now.
    public var reports: [DeliveryReport]
    public var unrouted: Bool
    /// For a trigger: whether the alert's current step has reached anyone, whatever dedup did
    /// with this event.
    public var pages: PageState? = nil
    /// Work done now for other alerts (another alert's overdue step, a detector's alert).
    public var otherDeliveries: [OutboxDelivery] = []
    /// Alerts a detector opened or resolved in reaction to this event.
    public var detected: [AlertTransition] = []

    public var alert: Alert? { transition.alert }
}
