import Foundation

// The JSON shapes notify writes (webhook bodies, `--output json`): snake_case keys, RFC 3339
// times, the event in the same shape a sender writes it.

extension Alert: Encodable {
    enum CodingKeys: String, CodingKey {
        case id, dedupKey = "dedup_key", kind, severity, environment, source, summary, status
        case firstSeen = "first_seen", lastSeen = "last_seen", count, details, links
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(dedupKey, forKey: .dedupKey)
        try container.encode(kind, forKey: .kind)
        try container.encode(severity, forKey: .severity)
        try container.encodeIfPresent(environment, forKey: .environment)
        try container.encodeIfPresent(source, forKey: .source)
        try container.encode(summary, forKey: .summary)
        try container.encode(status, forKey: .status)
        try container.encode(firstSeen, forKey: .firstSeen)
        try container.encode(lastSeen, forKey: .lastSeen)
        try container.encode(count, forKey: .count)
        try container.encode(details, forKey: .details)
        try container.encode(links, forKey: .links)
    }
}

extension AlertEvent: Encodable {
    enum CodingKeys: String, CodingKey {
        case kind, action, severity, environment, source, summary, dedupKey = "dedup_key", details, timestamp, links, actor, note
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(action, forKey: .action)
        try container.encode(severity, forKey: .severity)
        try container.encodeIfPresent(environment, forKey: .environment)
        try container.encodeIfPresent(source, forKey: .source)
        try container.encodeIfPresent(summary, forKey: .summary)
        try container.encode(dedupKey, forKey: .dedupKey)
        if !details.isEmpty { try container.encode(details, forKey: .details) }
        try container.encodeIfPresent(timestamp, forKey: .timestamp)
        if !links.isEmpty { try container.encode(links, forKey: .links) }
        try container.encodeIfPresent(actor, forKey: .actor)
        try container.encodeIfPresent(note, forKey: .note)
    }
}

extension JSONEncoder {
    /// The encoder for everything notify writes: sorted keys (stable output), RFC 3339 times.
    public static func notify(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}
