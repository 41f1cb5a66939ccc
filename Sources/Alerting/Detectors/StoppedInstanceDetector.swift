import Foundation

/// Raises an alert when a running notify instance stopped reporting without saying goodbye (an
/// instance that stops cleanly removes its report): killed, its host gone, cut off from the
/// database. Raised once per instance, through the routes like any `notify_instance_stopped`
/// alert, by whichever instance runs the singleton work; its claims are taken back by the
/// others when their lease runs out.
public struct StoppedInstanceDetector: Detector {
    public init() {}

    public func check(at now: Date, in transaction: any StoreTransaction) throws -> [AlertEvent] {
        try transaction.instances().filter { now.timeIntervalSince($0.lastSeen) > InstanceRegistry.liveness.timeInterval }.map { stopped in
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

extension AlertKind {
    /// Raised when a running notify instance stops reporting (see ``StoppedInstanceDetector``).
    public static let instanceStopped = AlertKind(rawValue: "notify_instance_stopped")!
}
