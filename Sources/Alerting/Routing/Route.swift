import Foundation

/// An alert field a route can match on: kind, severity, environment, source, or one of its
/// details (`details.region`).
public enum MatchField: Sendable, Hashable, CustomStringConvertible {
    case kind, severity, environment, source
    case detail(String)

    public static let names = ["kind", "severity", "environment", "source", "details.KEY"]

    public init?(name: String) {
        switch name {
        case "kind": self = .kind
        case "severity": self = .severity
        case "environment": self = .environment
        case "source": self = .source
        default:
            guard name.hasPrefix("details."), name.count > "details.".count else { return nil }
            self = .detail(String(name.dropFirst("details.".count)))
        }
    }

    public func value(of alert: Alert) -> String? {
        switch self {
        case .kind: alert.kind.rawValue
        case .severity: alert.severity.rawValue
        case .environment: alert.environment
        case .source: alert.source
        case .detail(let key): alert.details[key]?.displayText
        }
    }

    public var description: String {
        switch self {
        case .kind: "kind"
        case .severity: "severity"
        case .environment: "environment"
        case .source: "source"
        case .detail(let key): "details.\(key)"
        }
    }
}

/// How a matcher compares, written as in Alertmanager: `=` (exact, or a glob with `*`, `?`,
/// `[...]`), `!=`, `=~` (a regular expression that must match the whole value), `!~`.
public enum MatchOperator: String, Sendable, Hashable, CaseIterable {
    case equals = "="
    case notEquals = "!="
    case matchesRegex = "=~"
    case notMatchesRegex = "!~"

    public var isNegated: Bool { self == .notEquals || self == .notMatchesRegex }
}

/// A regular expression that must match a whole value, compiled once.
public struct WholeMatchRegex: Sendable, Hashable, CustomStringConvertible {
    public let pattern: String
    private let regex: NSRegularExpression

    public init(_ pattern: String) throws {
        self.pattern = pattern
        self.regex = try NSRegularExpression(pattern: "^(?:" + pattern + ")$")
    }

    public func matches(_ text: String) -> Bool {
        regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    public var description: String { pattern }
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.pattern == rhs.pattern }
    public func hash(into hasher: inout Hasher) { hasher.combine(pattern) }
}

/// One condition of a route: the field compared with any of the patterns.
public struct RouteMatcher: Sendable, Hashable, CustomStringConvertible {
    public enum Pattern: Sendable, Hashable, CustomStringConvertible {
        case glob(GlobPattern)
        case regex(WholeMatchRegex)

        func matches(_ text: String) -> Bool {
            switch self {
            case .glob(let glob): glob.matches(text)
            case .regex(let regex): regex.matches(text)
            }
        }

        public var description: String {
            switch self {
            case .glob(let glob): glob.pattern
            case .regex(let regex): regex.pattern
            }
        }
    }

    public var field: MatchField
    public var op: MatchOperator
    public var patterns: [Pattern]

    public init(field: MatchField, op: MatchOperator = .equals, patterns: [Pattern]) {
        self.field = field
        self.op = op
        self.patterns = patterns
    }

    /// Globs compared with `=`.
    public init(field: MatchField, patterns: [GlobPattern]) {
        self.init(field: field, op: .equals, patterns: patterns.map(Pattern.glob))
    }

    /// `=` and `=~` need the field and a matching pattern; `!=` and `!~` match when the field is
    /// absent or no pattern matches it.
    public func matches(_ alert: Alert) -> Bool {
        guard let value = field.value(of: alert) else { return op.isNegated }
        let hit = patterns.contains { $0.matches(value) }
        return op.isNegated ? !hit : hit
    }

    public var description: String {
        "\(field)\(op.rawValue)\(patterns.map(\.description).joined(separator: "|"))"
    }

    /// Why a matcher could not be built.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Builds a matcher from a field name, an operator and patterns (globs for `=`/`!=`,
    /// regular expressions for `=~`/`!~`).
    public static func make(field name: String, op: MatchOperator, patterns: [String]) throws(ParseError) -> RouteMatcher {
        guard let field = MatchField(name: name) else {
            throw ParseError(message: "cannot match on \(quoted(name)) (expected one of: \(MatchField.names.joined(separator: ", ")))")
        }
        guard !patterns.isEmpty else { throw ParseError(message: "needs at least one pattern") }
        var compiled: [Pattern] = []
        for pattern in patterns {
            switch op {
            case .equals, .notEquals:
                if field == .severity, !Severity.allCases.contains(where: { GlobPattern(pattern).matches($0.rawValue) }) {
                    throw ParseError(message: "\(quoted(pattern)) matches no severity (\(Severity.allowedValues))")
                }
                compiled.append(.glob(GlobPattern(pattern)))
            case .matchesRegex, .notMatchesRegex:
                guard let regex = try? WholeMatchRegex(pattern) else {
                    throw ParseError(message: "\(quoted(pattern)) is not a valid regular expression")
                }
                compiled.append(.regex(regex))
            }
        }
        return RouteMatcher(field: field, op: op, patterns: compiled)
    }

    /// `environment=~prod-.*`, `kind!=heartbeat`, `details.region="eu-*"`.
    public static func parse(_ text: String) throws(ParseError) -> RouteMatcher {
        guard let index = text.firstIndex(where: { $0 == "=" || $0 == "!" }) else { throw syntaxError(text) }
        let name = text[..<index].trimmingCharacters(in: .whitespaces)
        let rest = text[index...]
        guard !name.isEmpty, let op = [MatchOperator.notEquals, .matchesRegex, .notMatchesRegex, .equals].first(where: { rest.hasPrefix($0.rawValue) }) else {
            throw syntaxError(text)
        }
        var value = rest.dropFirst(op.rawValue.count).trimmingCharacters(in: .whitespaces)
        if value.count >= 2, let first = value.first, first == value.last, first == "\"" || first == "'" {
            value = String(value.dropFirst().dropLast())
        }
        return try make(field: name, op: op, patterns: [value])
    }

    private static func syntaxError(_ text: String) -> ParseError {
        ParseError(message: "\(quoted(text)) is not a matcher such as environment=prod-*, kind!=heartbeat, source=~db-[0-9]+")
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
    /// `continue: true`: after this route matches, later routes are tried too
    /// (Alertmanager's semantics); each matching route runs its own policy.
    public var continueMatching = false
    /// Flap suppression, explicit (Alertmanager's `group_wait`, PagerDuty's auto-pause): the
    /// first page waits this long, and a resolve within it pages nobody. Without it a trigger
    /// always pages its first step, even when its resolve comes first.
    public var hold: Duration?

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
