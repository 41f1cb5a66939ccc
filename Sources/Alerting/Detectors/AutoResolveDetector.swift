import Foundation

/// `auto_resolve:` in the config: alerts of an informational kind (an instance the load
/// balancer replaced, a deploy finished) resolve themselves once nothing repeated them for a
/// while, instead of staying open for ever.
public struct AutoResolveRule: Sendable, Hashable {
    /// Which alerts: all of the matchers must match (as a route's `match`).
    public var matchers: [RouteMatcher]
    /// How long after its last event an open alert resolves.
    public var after: Duration

    public init(matchers: [RouteMatcher], after: Duration) {
        self.matchers = matchers
        self.after = after
    }

    func applies(to alert: Alert) -> Bool { matchers.allSatisfy { $0.matches(alert) } }
}

/// Resolves the open alerts an ``AutoResolveRule`` covers once they were last seen `after` ago.
public struct AutoResolveDetector: Detector {
    public var rules: [AutoResolveRule]

    public init(rules: [AutoResolveRule]) {
        self.rules = rules
    }

    public func check(_ context: DetectorContext, in transaction: any StoreTransaction) throws -> [AlertEvent] {
        let now = context.now
        return try transaction.alerts(statuses: [.triggered, .acknowledged]).compactMap { alert in
            guard let rule = rules.first(where: { $0.applies(to: alert) }), now.timeIntervalSince(alert.lastSeen) >= rule.after.timeInterval else { return nil }
            return AlertEvent(kind: alert.kind, action: .resolve, dedupKey: alert.dedupKey, actor: "notify",
                              note: "auto_resolve: nothing for \(DurationParser.format(rule.after))")
        }
    }
}
