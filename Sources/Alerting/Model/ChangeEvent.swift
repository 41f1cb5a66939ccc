import Foundation

/// Something that changed (a deploy, a config push, a failover drill), as PagerDuty's change
/// events say it: recorded, paging nobody, and listed beside an alert that opened within the
/// hour after it, since "what changed before this broke" is an incident's first question.
public struct ChangeEvent: Sendable, Hashable {
    /// Given by the store.
    public var id: Int64
    public var summary: String
    public var source: String?
    /// When the change says it happened (its `timestamp`), else when notify received it.
    public var at: Date
    /// A change that names no environment concerns every alert.
    public var environment: String?
    public var details: [String: JSONValue]
    public var links: [Link]

    public init(id: Int64 = 0, summary: String, source: String? = nil, at: Date, environment: String? = nil,
                details: [String: JSONValue] = [:], links: [Link] = []) {
        self.id = id
        self.summary = summary
        self.source = source
        self.at = at
        self.environment = environment
        self.details = details
        self.links = links
    }

    /// How long before an alert opened a change is listed with it.
    public static let lookBack: Duration = .seconds(3600)

    /// Whether this change is worth listing with `alert`: it happened in the hour before the
    /// alert opened (or since), and names the alert's environment or none.
    public func concerns(_ alert: Alert) -> Bool {
        guard at >= alert.firstSeen.addingTimeInterval(-TimeInterval(Self.lookBack.components.seconds)), at <= alert.lastSeen else { return false }
        return environment == nil || environment == alert.environment
    }
}
