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

/// One destination of a route: a channel, and for channels that reach people (SMS, voice) the
/// contacts to reach through it, each notified on their own.
public struct RouteTarget: Sendable, Hashable, CustomStringConvertible {
    public var channel: String
    /// Contact names; empty for channels that post to a place (Slack, a webhook, the console).
    public var contacts: [String]

    public init(channel: String, contacts: [String] = []) {
        self.channel = channel
        self.contacts = contacts
    }

    public var description: String {
        contacts.isEmpty ? channel : "\(channel) to \(contacts.joined(separator: ", "))"
    }
}

/// Where alerts that match go. A route without matchers matches everything (the default route).
public struct Route: Sendable, Hashable {
    /// A name for output and logs; `routes[N]` when the config gives none.
    public var name: String
    /// All must match.
    public var matchers: [RouteMatcher]
    /// What to notify at once, in order (a route with a policy has none of its own).
    public var targets: [RouteTarget]
    /// The escalation policy to run instead of `targets`.
    public var policy: String?
    /// Whether the channels and people that were paged hear about the resolution too.
    public var notifyOnResolve: Bool

    public init(name: String, matchers: [RouteMatcher] = [], targets: [RouteTarget], notifyOnResolve: Bool = false) {
        self.name = name
        self.matchers = matchers
        self.targets = targets
        self.notifyOnResolve = notifyOnResolve
    }

    /// A route that runs an escalation policy.
    public init(name: String, matchers: [RouteMatcher] = [], policy: String, notifyOnResolve: Bool = false) {
        self.init(name: name, matchers: matchers, targets: [], notifyOnResolve: notifyOnResolve)
        self.policy = policy
    }

    /// The name of the one-step policy a route with plain targets runs.
    public var implicitPolicyName: String { "route:\(name)" }

    /// A route to channels that need no contacts.
    public init(name: String, matchers: [RouteMatcher] = [], channels: [String], notifyOnResolve: Bool = false) {
        self.init(name: name, matchers: matchers, targets: channels.map { RouteTarget(channel: $0) }, notifyOnResolve: notifyOnResolve)
    }

    public func matches(_ alert: Alert) -> Bool {
        matchers.allSatisfy { $0.matches(alert) }
    }
}
