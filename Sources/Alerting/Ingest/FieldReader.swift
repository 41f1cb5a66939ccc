import Foundation

/// Reads typed fields out of a JSON object and collects every problem with the field's path,
/// so one bad line reports all that is wrong with it at once.
package struct FieldReader {
    let object: [String: JSONValue]
    let limits: EventLimits
    /// `payload.` inside a PagerDuty payload, empty at the top.
    var prefix = ""
    var problems: [EventValidationError.Problem] = []

    init(object: [String: JSONValue], limits: EventLimits, prefix: String = "") {
        self.object = object
        self.limits = limits
        self.prefix = prefix
    }

    mutating func problem(_ key: String, _ message: String) {
        problems.append(.init(field: prefix + key, message))
    }

    func hasProblem(for key: String) -> Bool {
        problems.contains { $0.field == prefix + key }
    }

    /// An optional string; null counts as absent.
    mutating func string(_ key: String) -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        case let other?:
            problem(key, "expected a string, got \(other.typeName)")
            return nil
        }
    }

    mutating func enumeration<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type) -> E? where E.RawValue == String {
        guard let raw = string(key) else { return nil }
        // `CRITICAL`, `Warning`: the words are notify's, their case is whoever typed them.
        if let value = E(rawValue: raw) ?? E(rawValue: raw.lowercased()) { return value }
        let allowed = E.allCases.map(\.rawValue).joined(separator: ", ")
        problem(key, "\(quoted(raw)) is not one of \(allowed)")
        return nil
    }

    /// `environment`, `source`: optional, not empty, bounded.
    mutating func name(_ key: String) -> String? {
        guard let value = string(key) else { return nil }
        if value.isEmpty {
            problem(key, "must not be empty (leave it out instead)")
            return nil
        }
        if value.utf8.count > limits.maxNameLength {
            problem(key, "longer than \(limits.maxNameLength) bytes")
            return nil
        }
        return value
    }

    mutating func dedupKey(_ key: String) -> String? {
        guard let value = string(key) else { return nil }
        if value.isEmpty {
            problem(key, "must not be empty (leave it out to derive one from kind, environment and source)")
            return nil
        }
        if value.utf8.count > limits.maxDedupKeyLength, value.count > limits.maxDedupKeyLength {
            problem(key, "longer than \(limits.maxDedupKeyLength) characters")
            return nil
        }
        return value
    }

    /// - Parameter requiredFor: what needs it, in the message when it is missing.
    mutating func summary(_ key: String, required: Bool, requiredFor: String = "a trigger") -> String? {
        guard let value = string(key), !value.unicodeScalars.allSatisfy(\.properties.isWhitespace) else {
            if required, !hasProblem(for: key) { problem(key, "missing (required for \(requiredFor))") }
            return nil
        }
        // Counting characters walks the string; only a long one in bytes can be too long.
        if value.utf8.count > limits.maxSummaryLength, value.count > limits.maxSummaryLength {
            problem(key, "longer than \(limits.maxSummaryLength) characters (\(value.count))")
            return nil
        }
        return value
    }

    mutating func details(_ key: String) -> [String: JSONValue] {
        switch object[key] {
        case nil, .null?: return [:]
        case .object(let members)?:
            let size = JSONValue.object(members).encodedSize
            if size > limits.maxDetailsBytes {
                problem(key, "encodes to \(size) bytes, more than the limit of \(limits.maxDetailsBytes)")
                return [:]
            }
            return members
        case let other?:
            problem(key, "expected an object, got \(other.typeName)")
            return [:]
        }
    }

    mutating func timestamp(_ key: String) -> Date? {
        guard let raw = string(key) else { return nil }
        if let date = Self.parseTimestamp(raw) { return date }
        problem(key, "\(quoted(raw)) is not an RFC 3339 time such as 2026-11-24T10:00:00Z")
        return nil
    }

    package static func parseTimestamp(_ raw: String) -> Date? {
        if let date = try? Date(raw, strategy: Date.ISO8601FormatStyle()) { return date }
        return try? Date(raw, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    mutating func links(_ key: String) -> [Link] {
        switch object[key] {
        case nil, .null?: return []
        case .array(let items)?:
            var links: [Link] = []
            for (index, item) in items.enumerated() {
                let path = "\(key)[\(index)]"
                guard case .object(let members) = item else {
                    problem(path, "expected an object with href and text, got \(item.typeName)")
                    continue
                }
                guard case .string(let href)? = members["href"], !href.isEmpty else {
                    problem(path + ".href", "missing (required)")
                    continue
                }
                var text: String?
                switch members["text"] {
                case nil, .null?: break
                case .string(let value)?: text = value
                case let other?: problem(path + ".text", "expected a string, got \(other.typeName)")
                }
                links.append(Link(href: href, text: text))
            }
            return links
        case let other?:
            problem(key, "expected an array, got \(other.typeName)")
            return []
        }
    }

    /// A reader for a nested object (`payload`), or nil when it is absent or of the wrong type.
    mutating func nested(_ key: String, required: Bool) -> FieldReader? {
        switch object[key] {
        case nil, .null?:
            if required { problem(key, "missing (required for a trigger)") }
            return nil
        case .object(let members)?:
            return FieldReader(object: members, limits: limits, prefix: prefix + key + ".")
        case let other?:
            problem(key, "expected an object, got \(other.typeName)")
            return nil
        }
    }
}
