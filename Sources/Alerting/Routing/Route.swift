/// The alert fields a route can match on.
public enum MatchField: String, Sendable, Hashable, CaseIterable {
    case kind, severity, environment, source

    public func value(of alert: Alert) -> String? {
        switch self {
        case .kind: alert.kind.rawValue
        case .severity: alert.severity.rawValue
        case .environment: alert.environment
        case .source: alert.source
        }
    }
}

/// One condition of a route: the field matches any of the patterns.
public struct RouteMatcher: Sendable, Hashable, CustomStringConvertible {
    public var field: MatchField
    public var patterns: [GlobPattern]

    public init(field: MatchField, patterns: [GlobPattern]) {
        self.field = field
        self.patterns = patterns
    }

    /// An alert without the field (no environment, say) matches no pattern.
    public func matches(_ alert: Alert) -> Bool {
        guard let value = field.value(of: alert) else { return false }
        return patterns.contains { $0.matches(value) }
    }

    public var description: String {
        "\(field.rawValue)=\(patterns.map(\.pattern).joined(separator: "|"))"
    }
}

/// Where alerts that match go. A route without matchers matches everything (the default route).
public struct Route: Sendable, Hashable {
    /// A name for output and logs; `routes[N]` when the config gives none.
    public var name: String
    /// All must match.
    public var matchers: [RouteMatcher]
    /// The channel names to notify, in order.
    public var channels: [String]
    /// Whether channels hear about the alert's resolution too.
    public var notifyOnResolve: Bool

    public init(name: String, matchers: [RouteMatcher] = [], channels: [String], notifyOnResolve: Bool = false) {
        self.name = name
        self.matchers = matchers
        self.channels = channels
        self.notifyOnResolve = notifyOnResolve
    }

    public func matches(_ alert: Alert) -> Bool {
        matchers.allSatisfy { $0.matches(alert) }
    }
}
