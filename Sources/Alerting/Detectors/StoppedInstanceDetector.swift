import Foundation

/// Raises an alert when a running notify instance stopped reporting without saying goodbye (an
/// instance that stops cleanly removes its report): killed, its host gone, cut off from the
/// database. Raised once per instance, through the routes like any `notify_instance_stopped`
/// alert, by whichever instance runs the singleton work; its claims are taken back by the
/// others when their lease runs out.
///
/// Only an observer that has itself reported without a gap for longer than
/// ``InstanceRegistry/liveness`` judges the others: after a database outage every instance's
/// report is old, and none of them has stopped; nor has a `send` that never reports at all.
public struct StoppedInstanceDetector: Detector {
    public init() {}

    public func check(_ context: DetectorContext, in transaction: any StoreTransaction) throws -> [AlertEvent] {
        let now = context.now
        guard context.hasReportedThroughout(InstanceRegistry.liveness) else { return [] }
        return try transaction.instances().filter {
            $0.owner != context.owner && now.timeIntervalSince($0.lastSeen) > InstanceRegistry.liveness.timeInterval
        }.map { stopped in
            // Its report goes once the alert is raised: the alert is the record from here on.
            try transaction.deleteInstance(owner: stopped.owner)
            let owner = LeaseOwner(stopped.owner)
            let lastSeen = stopped.lastSeen.formatted(Date.ISO8601FormatStyle())
            return AlertEvent(
                kind: .instanceStopped, severity: .error, source: owner?.host ?? stopped.owner,
                summary: "notify \(stopped.role) \(stopped.owner) stopped reporting (last seen \(lastSeen)); the other instances take over its work",
                dedupKey: "notify-instance/\(stopped.owner)",
                details: ["instance": .string(stopped.owner), "role": .string(stopped.role), "last_seen": .string(lastSeen)])
        }
    }
}

/// Since when this process has reported itself as running without a gap (what
/// ``DetectorContext/reportingSince`` tells detectors).
final class ReportingRecord: Sendable {
    let owner: String
    private let since = LockedBox<Date?>(nil)

    init(owner: String) {
        self.owner = owner
    }

    func reported(at date: Date) {
        since.withLock { $0 = $0 ?? date }
    }

    func failed() {
        since.withLock { $0 = nil }
    }

    /// Since when it has reported without a gap; nil when its last report failed.
    var reportingSince: Date? { since.withLock { $0 } }
}

extension AlertKind {
    /// Raised when a running notify instance stops reporting (see ``StoppedInstanceDetector``).
    public static let instanceStopped = AlertKind(rawValue: "notify_instance_stopped")!
}
