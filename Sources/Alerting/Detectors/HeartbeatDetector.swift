import Foundation

/// Raises a `heartbeat_missed` alert for every heartbeat overdue (once: not while its alert is
/// open). A beat resolves it (``Notifier/ingest(_:)`` turns a `heartbeat` event into that
/// resolve).
public struct HeartbeatDetector: Detector {
    public var heartbeats: [Heartbeat]

    public init(heartbeats: [Heartbeat]) {
        self.heartbeats = heartbeats.sorted { $0.name < $1.name }
    }

    /// Records a beat. A beat older than the one stored (a late `notify heartbeat`) never moves
    /// the last beat back.
    public static func recordBeat(_ name: String, at date: Date, in transaction: any StoreTransaction) throws {
        let stored = try transaction.beat(name: name, forUpdate: true)
        let last = max(stored?.lastBeat ?? date, date)
        try transaction.saveBeat(BeatRow(name: name, lastBeat: last, firstSeen: stored?.firstSeen ?? date))
    }

    public func check(_ context: DetectorContext, in transaction: any StoreTransaction) throws -> [AlertEvent] {
        let now = context.now
        var missed: [AlertEvent] = []
        for heartbeat in heartbeats {
            let beat: BeatRow
            if let stored = try transaction.beat(name: heartbeat.name, forUpdate: true) {
                beat = stored
            } else {
                // Never seen: the wait starts now, so a heartbeat that never beats is missed too.
                beat = BeatRow(name: heartbeat.name, lastBeat: nil, firstSeen: now)
                try transaction.saveBeat(beat)
            }
            guard now >= heartbeat.deadline(after: beat.lastBeat ?? beat.firstSeen),
                  try transaction.openAlert(dedupKey: heartbeat.dedupKey) == nil else { continue }
            missed.append(heartbeat.missedEvent(lastBeat: beat.lastBeat, since: beat.firstSeen, now: now))
        }
        return missed
    }
}
