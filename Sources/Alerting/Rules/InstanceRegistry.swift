import Foundation

/// Running notify processes report themselves, so a one-shot `send` can tell whether anyone
/// will run the escalation steps it leaves behind, and `notify status` can list them.
public enum InstanceRegistry {
    /// An instance is taken as running while it reported within this long.
    public static let liveness = Duration.seconds(15)
    /// How often a running instance reports.
    public static let interval = Duration.seconds(5)

    public static func report(owner: LeaseOwner, role: String, at now: Date, in transaction: any StoreTransaction) throws {
        let existing = try transaction.instances().first { $0.owner == owner.description }
        try transaction.saveInstance(InstanceRow(owner: owner.description, role: role, startedAt: existing?.startedAt ?? now, lastSeen: now))
    }

    /// Whether `owner` is the one to run the work that must run once across all instances (the
    /// detectors, storm digests): the longest-running live instance. A process that is not a
    /// running instance (`send`, `tick`) runs it only when no instance is live. When the holder
    /// dies, the next oldest takes over once the dead one's report is older than ``liveness``.
    public static func runsSingletonWork(_ owner: LeaseOwner, at now: Date, in transaction: any StoreTransaction) throws -> Bool {
        try singletonHolder(at: now, in: transaction).map { $0.owner == owner.description } ?? true
    }

    /// The live instance that runs the singleton work, if any instance is live.
    public static func singletonHolder(at now: Date, in transaction: any StoreTransaction) throws -> InstanceRow? {
        try live(at: now, in: transaction).min { ($0.startedAt, $0.owner) < ($1.startedAt, $1.owner) }
    }

    /// The instances that reported within ``liveness`` of `now`.
    public static func live(at now: Date, in transaction: any StoreTransaction) throws -> [InstanceRow] {
        try transaction.instances().filter { now.timeIntervalSince($0.lastSeen) <= liveness.timeInterval }
    }
}

/// When notify next has work, and who is running to do it.
public struct WorkSchedule: Sendable, Hashable {
    /// The earliest escalation step, retry or digest due; nil when nothing is scheduled.
    public var nextDue: Date?
    /// Instances running now (a daemon, serve or watch).
    public var runners: [InstanceRow]
}

extension Notifier {
    /// When the next work is due and whether any notify process is running to do it.
    public func schedule() async throws -> WorkSchedule {
        let now = clock.now()
        let runners = try await store.read { try InstanceRegistry.live(at: now, in: $0) }
        return WorkSchedule(nextDue: try await store.nextWakeUp(), runners: runners)
    }

    /// Runs `body` while this process reports itself as running (`role`: daemon, serve,
    /// watch) every few seconds, and removes the report before returning, however `body` ends:
    /// an instance that stops cleanly must never look like one that died (that pages).
    func reportingAlive<T: Sendable>(role: String, _ body: () async throws -> T) async throws -> T {
        let alive = Task { [self] in
            while !Task.isCancelled {
                let now = clock.now()
                do {
                    try await store.write { [outbox] in try InstanceRegistry.report(owner: outbox.owner, role: role, at: now, in: $0) }
                    reporting.reported(at: now)
                } catch {
                    reporting.failed()
                    logger.debug("could not report this instance", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: InstanceRegistry.interval)
            }
        }
        func withdraw() async {
            alive.cancel()
            await alive.value
            reporting.failed()
            // In a task of its own: the caller may be cancelled (SIGTERM), this write must not be.
            await Task { [self] in _ = try? await store.write { [outbox] in try $0.deleteInstance(owner: outbox.owner.description) } }.value
        }
        do {
            let result = try await body()
            await withdraw()
            return result
        } catch {
            await withdraw()
            throw error
        }
    }
}
