import Foundation

/// Something that watches recorded state and raises or resolves alerts of its own: a missed
/// heartbeat, an environment that keeps failing. Detectors run inside the engine's store
/// transactions, so what they count is what every notify process on the store recorded, and
/// what they raise is recorded with what caused it.
public protocol Detector: Sendable {
    /// Events to record because of what was just recorded (a threshold crossed).
    func react(to transitions: [AlertTransition], at now: Date, in transaction: any StoreTransaction) throws -> [AlertEvent]

    /// Events due at `now` whatever was recorded (a beat missed, a quiet period over).
    func check(at now: Date, in transaction: any StoreTransaction) throws -> [AlertEvent]
}

extension Detector {
    public func react(to transitions: [AlertTransition], at now: Date, in transaction: any StoreTransaction) throws -> [AlertEvent] { [] }
}
