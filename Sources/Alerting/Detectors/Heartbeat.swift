import Foundation

/// A dead-man's switch: something that should say "still alive" every `interval`. When no
/// beat has come for `interval + grace`, notify raises a `heartbeat_missed` alert; the next
/// beat resolves it.
public struct Heartbeat: Sendable, Hashable {
    public var name: String
    public var interval: Duration
    public var grace: Duration
    public var severity: Severity
    public var environment: String?

    public init(name: String, interval: Duration, grace: Duration = .seconds(60), severity: Severity = .error, environment: String? = nil) {
        self.name = name
        self.interval = interval
        self.grace = grace
        self.severity = severity
        self.environment = environment
    }

    /// The dedup key of this heartbeat's missed alert.
    public var dedupKey: String { "heartbeat_missed/\(name)" }

    /// When a beat at `last` is overdue.
    public func deadline(after last: Date) -> Date { last + (interval + grace).timeInterval }

    /// The event that raises the alert.
    func missedEvent(lastBeat: Date?, since: Date, now: Date) -> AlertEvent {
        let last = lastBeat.map { "last beat \($0.formatted(Date.ISO8601FormatStyle()))" } ?? "no beat since \(since.formatted(Date.ISO8601FormatStyle()))"
        return AlertEvent(
            kind: .heartbeatMissed, severity: severity, environment: environment, source: name,
            summary: "Heartbeat \(name) missed: \(last), expected every \(DurationParser.format(interval))",
            dedupKey: dedupKey, details: ["interval_seconds": .int(Int64(interval.timeInterval)), "grace_seconds": .int(Int64(grace.timeInterval))])
    }
}

extension AlertKind {
    /// An event that records a heartbeat's beat (its `source` names the heartbeat).
    public static let heartbeat = AlertKind(rawValue: "heartbeat")!
    /// Raised when a heartbeat is overdue.
    public static let heartbeatMissed = AlertKind(rawValue: "heartbeat_missed")!
}
