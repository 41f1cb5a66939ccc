import Foundation

/// Something that watches recorded state and raises or resolves alerts of its own: a missed
/// heartbeat, an environment that keeps failing, a notify instance that stopped. Detectors are
/// values handed to the ``Notifier`` (its `detectors:`); they run inside the engine's store
/// transactions, so what they count is what every notify process on the store recorded, and
/// what they raise is recorded with what caused it.
///
/// A transaction's body may run more than once (a store retries one that lost a race), so a
/// detector reads and writes only through the transaction, and keeps nothing of its own
/// between calls.
public protocol Detector: Sendable {
    /// Events to record because of what was just recorded (a threshold crossed).
    func react(to transitions: [AlertTransition], context: DetectorContext, in transaction: any StoreTransaction) throws -> [AlertEvent]

    /// Events due now whatever was recorded (a beat missed, a quiet period over). Run by one
    /// instance at a time when several share a store.
    func check(_ context: DetectorContext, in transaction: any StoreTransaction) throws -> [AlertEvent]
}

extension Detector {
    public func react(to transitions: [AlertTransition], context: DetectorContext, in transaction: any StoreTransaction) throws -> [AlertEvent] { [] }
}

/// What a detector is told besides the store: the time, and this process as a running
/// instance (a detector that judges other instances must know whether it has itself been
/// running long enough to judge).
public struct DetectorContext: Sendable {
    public var now: Date
    /// This process, as it reports itself to the store (``LeaseOwner``'s description).
    public var owner: String
    /// Since when this process has reported itself as running without a gap; nil when it is not
    /// reporting (a `send`, or a store that did not answer its last report).
    public var reportingSince: Date?

    public init(now: Date, owner: String, reportingSince: Date? = nil) {
        self.now = now
        self.owner = owner
        self.reportingSince = reportingSince
    }

    /// True when this process has reported without a gap for at least `span` before ``now``.
    public func hasReportedThroughout(_ span: Duration) -> Bool {
        reportingSince.map { now.timeIntervalSince($0) >= span.timeInterval } ?? false
    }
}
