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

    public func matches(_ alert: Alert) -> Bool {
        if let kind, alert.kind.rawValue != kind { return false }
        if let environment, alert.environment != environment { return false }
        if let text, !text.isEmpty {
            let found = [alert.summary, alert.source ?? "", alert.dedupKey].contains { $0.range(of: text, options: .caseInsensitive) != nil }
            if !found { return false }
        }
        return true
    }
}

/// One page of alerts, newest first, and how many matched in all.
public struct AlertPage: Sendable {
    public var standings: [AlertStanding]
    public var total: Int
    /// The kinds and environments of every alert in the statuses asked for (the filters' choices).
    public var kinds: [String]
    public var environments: [String]
}

extension AlertStore {
    /// The alerts `query` matches, newest first, `limit` of them from `offset`, each with where it
    /// stands. Standings are read only for the page: with 10,000 open alerts a page is as quick
    /// to read as with fifty.
    public func alertPage(_ query: AlertQuery, offset: Int, limit: Int) async throws -> AlertPage {
        try await read { transaction in
            let alerts = try transaction.alerts(statuses: query.statuses)
            let matching = alerts.filter(query.matches)
            let slice = matching.dropFirst(max(0, offset)).prefix(max(0, limit))
            return AlertPage(standings: try slice.map { try AlertStanding.read($0, in: transaction) }, total: matching.count,
                             kinds: Set(alerts.map(\.kind.rawValue)).sorted(), environments: Set(alerts.compactMap(\.environment)).sorted())
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
