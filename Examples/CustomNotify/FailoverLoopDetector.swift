import Alerting
import AlertingConfig
import Foundation

/// Raises one `failover_loop` alert when an environment fails over `threshold` times within
/// `window`: a database flapping between its primary and its spare is worse than any one of
/// those failovers, and wants a person even if each failover healed itself. A detector written
/// outside notify: it reads what every instance recorded through the transaction it is given,
/// and keeps nothing of its own (a transaction may run twice).
struct FailoverLoopDetector: Detector, CustomStringConvertible {
    var threshold = 3
    var window: Duration = .seconds(3600)

    var description: String { "\(threshold) failovers in an environment within \(DurationParser.format(window))" }

    func react(to transitions: [AlertTransition], context: DetectorContext, in transaction: any StoreTransaction) throws -> [AlertEvent] {
        let failedOver = Set(transitions.filter { $0.event.action == .trigger && $0.event.kind == .failover && $0.change != .deduplicated }
            .compactMap { $0.alert?.environment })
        guard !failedOver.isEmpty else { return [] }
        // Each incident once: the trigger that opened it, not its repeats.
        let opened = try transaction.logEntries(kind: .failover, since: context.now - window.timeInterval).filter { $0.entry.change == .opened }
        return try failedOver.sorted().compactMap { environment in
            let count = opened.filter { $0.alert.environment == environment }.count
            let key = "failover_loop/\(environment)"
            guard count >= threshold, try transaction.openAlert(dedupKey: key) == nil else { return nil }
            return AlertEvent(kind: AlertKind(rawValue: "failover_loop") ?? .failover, severity: .critical, environment: environment, source: "notify",
                              summary: "\(environment) failed over \(count) times within \(DurationParser.format(window))", dedupKey: key)
        }
    }

    func check(_ context: DetectorContext, in transaction: any StoreTransaction) throws -> [AlertEvent] { [] }

    /// `detectors: {failover_loop: {threshold: 3, window: 1h}}`.
    static let type = DetectorType("failover_loop") { node in
        try node.checkKeys(allowed: ["threshold", "window"])
        var detector = FailoverLoopDetector()
        if let value = try node.optional("threshold") { detector.threshold = try value.int(in: 2...100) }
        if let value = try node.optional("window") { detector.window = try value.positiveDuration() }
        return detector
    }
}
