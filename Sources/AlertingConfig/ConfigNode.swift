import Alerting
import Foundation
import Yams

/// A node of the YAML config with its key path, so every read can name where it failed, and
/// with `${VAR}` interpolation from the environment applied to every string it hands out.
///
/// A channel or detector type of your own reads its section through this: each read throws a
/// ``ConfigError`` with the file, line and key path, and never quotes a value that may be a
/// secret.
public struct ConfigNode {
    let node: Node
    /// The key path (`channels.ops.url`, `routes[1].notify[0]`).
    public let path: String
    let context: Context

    /// What every node of one document shares.
    struct Context {
        var file: String?
        var environment: [String: String]
    }

    public func error(_ message: String) -> ConfigError {
        ConfigError(file: context.file, path: path, line: node.mark.map { $0.line }, message)
    }

    private func child(_ node: Node, _ component: String) -> ConfigNode {
        ConfigNode(node: node, path: path.isEmpty ? component : path + "." + component, context: context)
    }

    // MARK: Mappings

    /// The pairs of a mapping, in file order, with string keys.
    public func mappingEntries() throws -> [(key: String, value: ConfigNode)] {
        guard case .mapping(let mapping) = node else { throw error("expected a mapping (key: value), got \(kindName)") }
        return try mapping.map { key, value in
            guard let name = key.scalar?.string else { throw error("keys must be strings") }
            return (name, child(value, name))
        }
    }

    /// Fails on keys outside `allowed`: a typo in a config key must not be silently ignored.
    public func checkKeys(allowed: [String]) throws {
        for (key, value) in try mappingEntries() where !allowed.contains(key) {
            throw value.error("unknown key (expected one of: \(allowed.joined(separator: ", ")))")
        }
    }

    public func optional(_ key: String) throws -> ConfigNode? {
        guard case .mapping(let mapping) = node else { throw error("expected a mapping (key: value), got \(kindName)") }
        guard let value = mapping[key] else { return nil }
        if case .scalar(let scalar) = value, scalar.style == .plain, ["", "~", "null", "Null", "NULL"].contains(scalar.string) { return nil }
        return child(value, key)
    }

    /// The error for a key that is missing here: named at the key's path.
    public func missing(_ key: String, _ message: String = "missing") -> ConfigError {
        ConfigError(file: context.file, path: path.isEmpty ? key : path + "." + key, line: node.mark.map { $0.line }, message)
    }

    public func required(_ key: String) throws -> ConfigNode {
        guard let value = try optional(key) else { throw missing(key) }
        return value
    }

    // MARK: Sequences

    public func sequenceItems() throws -> [ConfigNode] {
        guard case .sequence(let sequence) = node else { throw error("expected a list, got \(kindName)") }
        return sequence.enumerated().map { index, item in
            ConfigNode(node: item, path: "\(path)[\(index)]", context: context)
        }
    }

    /// A list of strings; a single string counts as a list of one.
    public func stringList() throws -> [String] {
        if case .scalar = node { return [try string()] }
        return try sequenceItems().map { try $0.string() }
    }

    // MARK: Scalars

    /// The string value, with `${VAR}` replaced from the environment (`$$` is a literal `$`).
    public func string() throws -> String {
        guard case .scalar(let scalar) = node else { throw error("expected a string, got \(kindName)") }
        return try interpolate(scalar.string)
    }

    public func nonEmptyString() throws -> String {
        let value = try string()
        guard !value.isEmpty else { throw error("must not be empty") }
        return value
    }

    public func bool() throws -> Bool {
        guard case .scalar(let scalar) = node else { throw error("expected true or false") }
        switch scalar.string.lowercased() {
        case "true": return true
        case "false": return false
        default: throw error("expected true or false")
        }
    }

    public func int(in range: ClosedRange<Int>) throws -> Int {
        guard case .scalar(let scalar) = node, let value = Int(try interpolate(scalar.string)) else {
            throw error("expected a whole number")
        }
        guard range.contains(value) else { throw error("\(value) is out of range \(range.lowerBound)...\(range.upperBound)") }
        return value
    }

    public func duration() throws -> Duration {
        let text = try string()
        guard let value = DurationParser.parse(text) else {
            throw error("\(quoted(text)) is not \(DurationParser.syntax)")
        }
        return value
    }

    /// A duration longer than zero.
    public func positiveDuration() throws -> Duration {
        let value = try duration()
        guard value > .zero else { throw error("must be longer than 0s") }
        return value
    }

    /// One of notify's severities (any case).
    public func severity() throws -> Severity {
        let text = try string()
        guard let severity = Severity(rawValue: text.lowercased()) else { throw error("\(quoted(text)) is not one of \(Severity.allowedValues)") }
        return severity
    }

    public func url() throws -> String {
        let text = try nonEmptyString()
        // The value may be a secret: say what is wrong with it without repeating it.
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", components.host?.isEmpty == false else {
            throw error("not an http(s) URL with a host")
        }
        return text
    }

    private var kindName: String {
        switch node {
        case .scalar: "a single value"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    private func interpolate(_ text: String) throws -> String {
        guard text.contains("$") else { return text }
        var output = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            output += rest[..<dollar]
            let after = rest[rest.index(after: dollar)...]
            if after.first == "$" {
                output += "$"
                rest = after.dropFirst()
            } else if after.first == "{", let close = after.firstIndex(of: "}") {
                // ${NAME}, or ${NAME:-default} for a value used when NAME is unset or empty.
                let inside = String(after[after.index(after: after.startIndex)..<close])
                let parts = inside.components(separatedBy: ":-")
                let name = parts[0]
                guard Self.isVariableName(name) else { throw error("${\(name)} is not a valid environment variable name") }
                if let value = context.environment[name], !(parts.count > 1 && value.isEmpty) {
                    output += value
                } else if parts.count > 1 {
                    output += parts.dropFirst().joined(separator: ":-")
                } else {
                    throw error("environment variable \(name) is not set")
                }
                rest = after[after.index(after: close)...]
            } else {
                output += "$"
                rest = after
            }
        }
        return output + rest
    }

    static func isVariableName(_ name: String) -> Bool {
        // ASCII checks: CharacterSet would load ICU's tables, milliseconds on every start.
        guard let first = name.utf8.first, first == UInt8(ascii: "_") || ASCII.isLetter(first) else { return false }
        return name.utf8.allSatisfy { $0 == UInt8(ascii: "_") || ASCII.isLetter($0) || ASCII.isDigit($0) }
    }
}
