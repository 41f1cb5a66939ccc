import Foundation

/// An alert's history in time order: the events that touched it and every delivery attempt,
/// as `notify show` prints it.
public struct Timeline: Sendable {
    /// `1 page`, `2 pages`: a count and its noun, in the right number.
    public static func counted(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }

    public struct Entry: Sendable, Encodable {
        public var at: Date
        /// `event` or `delivery`.
        public var type: String
        /// opened, deduplicated, acknowledged, resolved...; or delivered, retryable, permanent, throttled.
        public var what: String
        public var actor: String?
        public var note: String?
        public var channel: String?
        public var to: String?
        public var reason: String?
        public var providerID: String?

        enum CodingKeys: String, CodingKey {
            case at, type, what, actor, note, channel, to, reason, providerID = "provider_id"
        }

        /// One line for a terminal.
        public var text: String {
            var line = "\(Timeline.time(at))  "
            if type == "event" {
                line += what
                if let actor { line += " by \(actor)" }
                if let note { line += ": \(note)" }
            } else {
                line += "\(channel ?? "?")\(to.map { " to \($0)" } ?? ""): \(what)"
                if let reason { line += " (\(reason))" }
                if let providerID { line += " [\(providerID)]" }
            }
            return line
        }
    }

    public var entries: [Entry]

    public static func load(alertID: Int64, from store: any AlertStore) async throws -> Timeline {
        var entries = try await store.log(alertID: alertID).map {
            Entry(at: $0.at, type: "event", what: $0.change.rawValue, actor: $0.actor, note: $0.note)
        }
        for record in try await store.deliveries(alertID: alertID) {
            for attempt in record.report.attempts {
                var providerID: String?
                if case .delivered(let id) = attempt.outcome { providerID = id }
                entries.append(Entry(at: attempt.startedAt, type: "delivery", what: attempt.outcome.label,
                                     channel: record.report.channel, to: record.report.recipient,
                                     reason: attempt.outcome.reason, providerID: providerID))
            }
        }
        // Stable: an event and the deliveries it caused share a time; the event comes first.
        entries = entries.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
        return Timeline(entries: entries)
    }

    /// `in 4m30s` or `2m ago`, to the second (to the minute past an hour).
    public static func relative(_ date: Date, to now: Date) -> String {
        var seconds = Int64(abs(date.timeIntervalSince(now)).rounded())
        if seconds >= 3600 { seconds = seconds / 60 * 60 }
        let text = DurationParser.format(.seconds(seconds))
        return date >= now ? "in \(text)" : "\(text) ago"
    }

    /// A coarse span for a column: `45s`, `12m`, `3h10m`, `2d4h`.
    public static func age(_ interval: TimeInterval) -> String {
        let seconds = max(Int(interval.rounded(.down)), 0)
        switch seconds {
        case ..<60: return "\(seconds)s"
        case ..<3600: return "\(seconds / 60)m"
        case ..<86400: return "\(seconds / 3600)h" + (seconds % 3600 / 60 > 0 ? "\(seconds % 3600 / 60)m" : "")
        default: return "\(seconds / 86400)d" + (seconds % 86400 / 3600 > 0 ? "\(seconds % 86400 / 3600)h" : "")
        }
    }

    /// RFC 3339 to the second.
    public static func time(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: false))
    }
}
