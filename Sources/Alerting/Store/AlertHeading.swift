import Foundation

/// What a list of alerts is filtered on, without the details and links: thousands of these are
/// cheap to read, and the page shown reads its few whole alerts after (``AlertStore/alertPage``).
public struct AlertHeading: Sendable, Hashable {
    public var id: Int64
    public var kind: String
    public var environment: String?
    public var source: String?
    public var summary: String
    public var dedupKey: String

    public init(id: Int64, kind: String, environment: String?, source: String?, summary: String, dedupKey: String) {
        self.id = id
        self.kind = kind
        self.environment = environment
        self.source = source
        self.summary = summary
        self.dedupKey = dedupKey
    }

    public init(_ alert: Alert) {
        self.init(id: alert.id, kind: alert.kind.rawValue, environment: alert.environment, source: alert.source, summary: alert.summary, dedupKey: alert.dedupKey)
    }
}
