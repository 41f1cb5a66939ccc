/// The JSON shape of one event's outcome, as `notify send --output json` prints it:
/// `{"id":..., "dedup_key":..., "status":..., "new":true|false, "change":..., "deliveries":[...]}`.
public struct ProcessingResultJSON: Encodable, Sendable {
    public struct Delivery: Encodable, Sendable {
        public var channel: String
        /// The contact, for channels that reach people.
        public var to: String?
        /// `delivered`, `retryable`, `permanent` or `throttled`.
        public var outcome: String
        public var attempts: Int
        public var reason: String?
    }

    /// nil when an acknowledge or resolve named no open alert.
    public var id: Int64?
    public var dedupKey: String
    public var status: String?
    /// True when this event opened the alert.
    public var new: Bool
    /// What the event did: opened, deduplicated, acknowledged, resolved, already_acknowledged, unknown_key.
    public var change: String
    public var route: String?
    public var deliveries: [Delivery]

    enum CodingKeys: String, CodingKey {
        case id, dedupKey = "dedup_key", status, new, change, route, deliveries
    }

    public init(_ result: ProcessingResult) {
        id = result.alert?.id
        dedupKey = result.transition.event.dedupKey
        status = result.alert?.status.rawValue
        new = result.transition.change == .opened
        change = result.transition.change.rawValue
        route = result.route?.name
        deliveries = result.reports.map {
            Delivery(channel: $0.channel, to: $0.recipient, outcome: $0.outcome.label, attempts: $0.attempts.count, reason: $0.outcome.reason)
        }
    }
}
