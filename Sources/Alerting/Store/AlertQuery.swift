import Foundation

/// Which alerts a person asks for (the console's filters): statuses, and optionally a kind, an
/// environment and a text found in the summary, source or dedup key (case-insensitive).
public struct AlertQuery: Sendable, Hashable {
    public var statuses: Set<AlertStatus>
    public var kind: String?
    public var environment: String?
    public var text: String?

    public init(statuses: Set<AlertStatus>, kind: String? = nil, environment: String? = nil, text: String? = nil) {
        self.statuses = statuses
        self.kind = kind
        self.environment = environment
        self.text = text
    }

    public func matches(_ alert: Alert) -> Bool { matches(AlertHeading(alert)) }

    public func matches(_ alert: AlertHeading) -> Bool {
        if let kind, alert.kind != kind { return false }
        if let environment, alert.environment != environment { return false }
        if let text, !text.isEmpty {
            let found = Self.contains(alert.summary, text) || Self.contains(alert.source ?? "", text) || Self.contains(alert.dedupKey, text)
            if !found { return false }
        }
        return true
    }
}

extension AlertQuery {
    /// Whether `needle` is in `text`, ignoring case: byte by byte for ASCII (a list of 10,000
    /// alerts is searched on every page), Foundation's rules otherwise.
    static func contains(_ text: String, _ needle: String) -> Bool {
        let pattern = Array(needle.utf8)
        guard pattern.allSatisfy({ $0 < 0x80 }) else { return text.range(of: needle, options: .caseInsensitive) != nil }
        func folded(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
        let lowered = pattern.map(folded)
        return text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard bytes.count >= lowered.count else { return false }
            outer: for start in 0...(bytes.count - lowered.count) {
                for offset in 0..<lowered.count where folded(bytes[start + offset]) != lowered[offset] { continue outer }
                return true
            }
            return false
        } ?? (text.range(of: needle, options: .caseInsensitive) != nil)
    }
}

/// One page of alerts, newest first, and how many matched in all.
public struct AlertPage: Sendable {
    public var standings: [AlertStanding]
    public var total: Int
}

extension AlertStore {
    /// The alerts `query` matches, newest first, `limit` of them from `offset`, each with where it
    /// stands. Standings are read only for the page: with 10,000 open alerts a page is as quick
    /// to read as with fifty.
    public func alertPage(_ query: AlertQuery, offset: Int, limit: Int) async throws -> AlertPage {
        try await read { transaction in
            if query.kind == nil, query.environment == nil, query.text?.isEmpty ?? true {
                // No filter: count and read one page, not every heading.
                let ids = try transaction.alertIDs(statuses: query.statuses, offset: offset, limit: limit)
                let alerts = try transaction.alerts(ids: ids).sorted { $0.id > $1.id }
                return AlertPage(standings: try alerts.map { try AlertStanding.read($0, in: transaction) }, total: try transaction.alertCount(statuses: query.statuses))
            }
            let headings = try transaction.alertHeadings(statuses: query.statuses)
            let matching = headings.filter(query.matches)
            let ids = matching.dropFirst(max(0, offset)).prefix(max(0, limit)).map(\.id)
            let alerts = try transaction.alerts(ids: Array(ids)).sorted { $0.id > $1.id }
            return AlertPage(standings: try alerts.map { try AlertStanding.read($0, in: transaction) }, total: matching.count)
        }
    }
}

extension Notifier {
    /// A page of the alerts `query` matches, newest first: what the console lists, read as
    /// `notify list` reads its standings.
    public func alertPage(_ query: AlertQuery, offset: Int, limit: Int) async throws -> AlertPage {
        try await store.alertPage(query, offset: offset, limit: limit)
    }
}
