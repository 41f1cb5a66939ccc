import Foundation

/// How the stores write events and links as JSON: through notify's own `JSONValue` and
/// `JSONParser`, which cost a fraction of Foundation's coders on the outbox's hot path.
enum StoredJSON {
    static func encode(_ event: AlertEvent) -> String {
        var object: [String: JSONValue] = [
            "kind": .string(event.kind.rawValue), "action": .string(event.action.rawValue),
            "severity": .string(event.severity.rawValue), "dedup_key": .string(event.dedupKey),
        ]
        if let environment = event.environment { object["environment"] = .string(environment) }
        if let source = event.source { object["source"] = .string(source) }
        if let summary = event.summary { object["summary"] = .string(summary) }
        if !event.details.isEmpty { object["details"] = .object(event.details) }
        if let timestamp = event.timestamp { object["timestamp"] = .double(timestamp.timeIntervalSince1970) }
        if !event.links.isEmpty { object["links"] = encode(event.links) }
        if let actor = event.actor { object["actor"] = .string(actor) }
        if let note = event.note { object["note"] = .string(note) }
        return JSONValue.object(object).compactJSON
    }

    /// Nil when the text is not an event notify wrote.
    static func event(_ text: String) -> AlertEvent? {
        guard let object = (try? JSONParser.parse(Array(text.utf8)))?.objectValue,
              case .string(let kindName)? = object["kind"], let kind = AlertKind(rawValue: kindName),
              case .string(let actionName)? = object["action"], let action = EventAction(rawValue: actionName),
              case .string(let dedupKey)? = object["dedup_key"] else { return nil }
        func string(_ key: String) -> String? {
            if case .string(let value)? = object[key] { return value }
            return nil
        }
        var timestamp: Date?
        switch object["timestamp"] {
        case .double(let seconds)?: timestamp = Date(timeIntervalSince1970: seconds)
        case .int(let seconds)?: timestamp = Date(timeIntervalSince1970: TimeInterval(seconds))
        default: break
        }
        return AlertEvent(
            kind: kind, action: action, severity: string("severity").flatMap(Severity.init(rawValue:)), environment: string("environment"),
            source: string("source"), summary: string("summary"), dedupKey: dedupKey, details: object["details"]?.objectValue ?? [:],
            timestamp: timestamp, links: object["links"].flatMap(links) ?? [], actor: string("actor"), note: string("note"))
    }

    static func encode(_ links: [Link]) -> JSONValue {
        .array(links.map { link in
            var object: [String: JSONValue] = ["href": .string(link.href)]
            if let text = link.text { object["text"] = .string(text) }
            return .object(object)
        })
    }

    /// Nil when the value is not a list of links.
    static func links(_ value: JSONValue) -> [Link]? {
        guard case .array(let items) = value else { return nil }
        var links: [Link] = []
        for item in items {
            guard case .string(let href)? = item.objectValue["href"] else { return nil }
            var text: String?
            if case .string(let value)? = item.objectValue["text"] { text = value }
            links.append(Link(href: href, text: text))
        }
        return links
    }
}
