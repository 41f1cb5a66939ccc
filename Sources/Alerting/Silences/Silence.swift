import Foundation

/// "Page nobody about staging health checks for two hours": matchers and a time window.
///
/// A silenced alert is still recorded (and deduplicated, acknowledged, resolved); its escalation
/// steps wait. When the silence ends and the alert is still open, escalation starts then.
public struct Silence: Sendable, Hashable, Encodable {
    public var id: Int64
    /// All must match, as in a route.
    public var matchers: [RouteMatcher]
    public var startsAt: Date
    public var endsAt: Date
    public var comment: String?
    public var createdBy: String?

    /// - Throws: ``SilenceError/noMatcher`` for an empty list: a silence with no matcher would
    ///   silence every alert, which is never what someone meant.
    public init(id: Int64 = 0, matchers: [RouteMatcher], startsAt: Date, endsAt: Date, comment: String? = nil, createdBy: String? = nil) throws(SilenceError) {
        guard !matchers.isEmpty else { throw .noMatcher }
        self.id = id
        self.matchers = matchers
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.comment = comment
        self.createdBy = createdBy
    }

    public func isActive(at date: Date) -> Bool { startsAt <= date && date < endsAt }

    public func matches(_ alert: Alert) -> Bool { matchers.allSatisfy { $0.matches(alert) } }

    enum CodingKeys: String, CodingKey {
        case id, matchers, startsAt = "starts_at", endsAt = "ends_at", comment, createdBy = "created_by"
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(matchers.map(\.description), forKey: .matchers)
        try container.encode(startsAt, forKey: .startsAt)
        try container.encode(endsAt, forKey: .endsAt)
        try container.encodeIfPresent(comment, forKey: .comment)
        try container.encodeIfPresent(createdBy, forKey: .createdBy)
    }
}

public enum SilenceError: Error, Sendable, Hashable, CustomStringConvertible {
    case noMatcher

    public var description: String {
        switch self {
        case .noMatcher: "a silence needs at least one matcher: with none it would silence every alert"
        }
    }
}
