import Foundation

/// Where a configured heartbeat stands: `notify heartbeat` without a name lists these.
public struct HeartbeatReading: Sendable, Encodable {
    public var name: String
    public var interval: Duration
    public var grace: Duration
    /// The last beat; nil when none has come since notify first looked for it.
    public var lastBeat: Date?
    /// When it is missed unless a beat comes; nil before notify has looked for it.
    public var deadline: Date?
    /// Its `heartbeat_missed` alert, while open.
    public var openAlert: Int64?

    enum CodingKeys: String, CodingKey {
        case name, lastBeat = "last_beat", deadline, openAlert = "open_alert", intervalSeconds = "interval_seconds", graceSeconds = "grace_seconds"
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(Int64(interval.timeInterval), forKey: .intervalSeconds)
        try container.encode(Int64(grace.timeInterval), forKey: .graceSeconds)
        try container.encode(lastBeat, forKey: .lastBeat)
        try container.encode(deadline, forKey: .deadline)
        try container.encode(openAlert, forKey: .openAlert)
    }
}

extension Notifier {
    /// Every configured heartbeat, by name: its last beat, its deadline and its open alert.
    public func heartbeatReadings() async throws -> [HeartbeatReading] {
        let heartbeats = self.heartbeats.values.sorted { $0.name < $1.name }
        return try await store.read { transaction in
            try heartbeats.map { heartbeat in
                let beat = try transaction.beat(name: heartbeat.name)
                return HeartbeatReading(name: heartbeat.name, interval: heartbeat.interval, grace: heartbeat.grace, lastBeat: beat?.lastBeat,
                                        deadline: beat.map { heartbeat.deadline(after: $0.lastBeat ?? $0.firstSeen) },
                                        openAlert: try transaction.openAlert(dedupKey: heartbeat.dedupKey)?.id)
            }
        }
    }
}
