import Foundation

/// The deduplicated incident: every event with one dedup key, while it is open, is one alert.
public struct Alert: Sendable, Hashable, Identifiable {
    /// A small number a person can type (`ack 42`). Unique within one state store.
    public var id: Int64
    public var dedupKey: String
    public var kind: AlertKind
    public var severity: Severity
    public var environment: String?
    public var source: String?
    public var summary: String
    public var status: AlertStatus
    public var firstSeen: Date
    public var lastSeen: Date
    /// How many trigger events folded into this alert.
    public var count: Int
    public var details: [String: JSONValue]
    public var links: [Link]

    public init(
        id: Int64, dedupKey: String, kind: AlertKind, severity: Severity, environment: String?,
        source: String?, summary: String, status: AlertStatus, firstSeen: Date, lastSeen: Date,
        count: Int, details: [String: JSONValue], links: [Link]
    ) {
        self.id = id
        self.dedupKey = dedupKey
        self.kind = kind
        self.severity = severity
        self.environment = environment
        self.source = source
        self.summary = summary
        self.status = status
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.count = count
        self.details = details
        self.links = links
    }
}
