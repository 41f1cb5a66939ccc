/// What recording one event did to the alert state.
public struct AlertTransition: Sendable, Hashable {
    public enum Change: String, Sendable, Hashable {
        /// A trigger opened a new alert: this is the one that pages.
        case opened
        /// A trigger matched an open alert: its count went up, nobody is paged again.
        case deduplicated
        case acknowledged
        case resolved
        /// An acknowledge for an alert that was already acknowledged.
        case alreadyAcknowledged = "already_acknowledged"
        /// An acknowledge or resolve whose dedup key matches no open alert.
        case unknownKey = "unknown_key"
        /// (Timeline only) an escalation step fired, or the next one was brought forward.
        case escalated
        /// (Timeline only) an acknowledged alert was not resolved within the ack timeout.
        case retriggered
        /// A heartbeat's beat, with nothing missed to resolve.
        case heartbeat
    }

    public var change: Change
    /// The alert after the change; nil only for ``Change/unknownKey``.
    public var alert: Alert?
    public var event: AlertEvent

    public init(change: Change, alert: Alert?, event: AlertEvent) {
        self.change = change
        self.alert = alert
        self.event = event
    }
}
