import Foundation

/// One validated event: something a sender says happened (or stopped happening).
///
/// Build one in Swift directly, or decode one from a line of NDJSON with ``EventDecoder``.
public struct AlertEvent: Sendable, Hashable {
    public var kind: AlertKind
    public var action: EventAction
    public var severity: Severity
    public var environment: String?
    public var source: String?
    /// Required for a trigger; ack and resolve events may leave it empty.
    public var summary: String?
    /// Events with the same key concern the same alert.
    public var dedupKey: String
    public var details: [String: JSONValue]
    /// When the sender saw it happen; nil when the sender did not say.
    public var timestamp: Date?
    public var links: [Link]
    /// Who sent an acknowledge or resolve (`notify ack 42 --by alice`), for the timeline.
    public var actor: String?
    /// Why, in the person's words.
    public var note: String?

    public init(
        kind: AlertKind,
        action: EventAction = .trigger,
        severity: Severity? = nil,
        environment: String? = nil,
        source: String? = nil,
        summary: String? = nil,
        dedupKey: String? = nil,
        details: [String: JSONValue] = [:],
        timestamp: Date? = nil,
        links: [Link] = [],
        actor: String? = nil,
        note: String? = nil
    ) {
        self.kind = kind
        self.action = action
        self.severity = severity ?? kind.defaultSeverity
        self.environment = environment
        self.source = source
        self.summary = summary
        self.dedupKey = dedupKey ?? Self.defaultDedupKey(kind: kind, environment: environment, source: source)
        self.details = details
        self.timestamp = timestamp
        self.links = links
        self.actor = actor
        self.note = note
    }

    /// The key an event gets when the sender gives none: stable for the same kind, environment
    /// and source, so repeated reports of one failure fold into one alert.
    public static func defaultDedupKey(kind: AlertKind, environment: String?, source: String?) -> String {
        "\(kind.rawValue)/\(environment ?? "-")/\(source ?? "-")"
    }
}

extension AlertEvent {
    /// The event a message about `alert` carries: the alert's own fields (a resolve event may
    /// name no kind or summary), with what the event that caused the message adds: its
    /// details and links, who acted and why.
    static func message(about alert: Alert, action: EventAction, cause: AlertEvent?) -> AlertEvent {
        AlertEvent(kind: alert.kind, action: action, severity: alert.severity, environment: alert.environment, source: alert.source,
                   summary: alert.summary, dedupKey: alert.dedupKey, details: cause?.details ?? alert.details,
                   timestamp: cause?.timestamp, links: cause?.links ?? alert.links, actor: cause?.actor, note: cause?.note)
    }
}
