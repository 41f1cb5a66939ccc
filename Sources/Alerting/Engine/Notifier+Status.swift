import Foundation

/// What `notify status` shows: who is running on the store, what each holds, and whether work
/// is waiting past its time.
public struct NotifyStatus: Sendable, Encodable {
    public struct Instance: Sendable, Encodable {
        public var owner: String
        public var role: String
        public var startedAt: Date
        public var lastSeen: Date
        /// Reported within ``InstanceRegistry/liveness``.
        public var live: Bool
        /// Outbox items it has claimed and not finished.
        public var holding: Int
        /// It runs the work done once across instances (detectors, storm digests).
        public var runsSingletonWork: Bool

        enum CodingKeys: String, CodingKey {
            case owner, role, live, holding
            case startedAt = "started_at", lastSeen = "last_seen", runsSingletonWork = "runs_singleton_work"
        }
    }

    public var now: Date
    public var instances: [Instance]
    /// Claims held by owners that are not running instances (a `send` in progress, or a process
    /// that died: taken back when their lease ends).
    public var heldElsewhere: [String: Int]
    /// Outbox items waiting to be claimed.
    public var pendingPages: Int
    /// The earliest step, retry, lease end or digest due.
    public var nextDue: Date?

    /// Work waits past its time by more than this only when nothing runs it.
    public static let overdueAfter: TimeInterval = 30

    /// When the next work is more than ``overdueAfter`` late, the time it was due.
    public var overdueSince: Date? {
        guard let nextDue, now.timeIntervalSince(nextDue) > Self.overdueAfter else { return nil }
        return nextDue
    }

    public var liveInstances: [Instance] { instances.filter(\.live) }

    enum CodingKeys: String, CodingKey {
        case now, instances, heldElsewhere = "held_elsewhere", pendingPages = "pending_pages", nextDue = "next_due", overdueSince = "overdue_since"
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(now, forKey: .now)
        try container.encode(instances, forKey: .instances)
        try container.encode(heldElsewhere, forKey: .heldElsewhere)
        try container.encode(pendingPages, forKey: .pendingPages)
        try container.encode(nextDue, forKey: .nextDue)
        try container.encode(overdueSince, forKey: .overdueSince)
    }
}

extension Notifier {
    /// The instances on this store, what they hold, and the next due work.
    public func status() async throws -> NotifyStatus {
        let now = clock.now()
        let (rows, counts, holder) = try await store.read { transaction in
            (try transaction.instances(), try transaction.outboxCounts(), try InstanceRegistry.singletonHolder(at: now, in: transaction)?.owner)
        }
        let instances = rows.map { row in
            NotifyStatus.Instance(owner: row.owner, role: row.role, startedAt: row.startedAt, lastSeen: row.lastSeen,
                                  live: now.timeIntervalSince(row.lastSeen) <= InstanceRegistry.liveness.timeInterval,
                                  holding: counts.claimed[row.owner] ?? 0, runsSingletonWork: row.owner == holder)
        }
        let known = Set(rows.map(\.owner))
        return NotifyStatus(now: now, instances: instances, heldElsewhere: counts.claimed.filter { !known.contains($0.key) },
                            pendingPages: counts.pending, nextDue: try await store.nextWakeUp())
    }
}
