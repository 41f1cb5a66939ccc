import Alerting
import AlertingConfig
import AlertingSQLite
import ArgumentParser

/// An event described with flags: `notify send` and `notify route test` take the same ones.
struct EventFlags: ParsableArguments {
    @Option(help: "failover, continuous_failure, health_check_failure, or a custom kind [a-z0-9_.-]{1,64}.")
    var kind: String?
    @Option(help: "What happened, in one line (required for a trigger).")
    var summary: String?
    @Option(help: "critical, error, warning or info (default depends on the kind).")
    var severity: String?
    @Option(name: [.customLong("env"), .customLong("environment")], help: "The environment, e.g. prod-us-east.")
    var environment: String?
    @Option(help: "The host or component, e.g. db-primary-1.")
    var source: String?
    @Option(help: "Events with the same key are one alert (default: kind/environment/source).")
    var dedupKey: String?
    @Option(name: .customLong("detail"), help: ArgumentHelp("A detail as key=value (repeatable).", valueName: "key=value"))
    var details: [String] = []
    @Option(name: .customLong("link"), help: ArgumentHelp("A link as URL or URL=text (repeatable).", valueName: "url[=text]"))
    var links: [String] = []
    @Option(help: "trigger, acknowledge or resolve.")
    var action: String?

    /// True when any event flag was given.
    var isGiven: Bool {
        let values: [Any?] = [kind, summary, severity, environment, source, dedupKey, action]
        return values.contains { $0 != nil } || !details.isEmpty || !links.isEmpty
    }

    func validate() throws {
        for detail in details where !detail.contains("=") {
            throw ValidationError("--detail \(detail): expected key=value")
        }
    }

    /// For commands where the flags are the event (ArgumentParser validates option groups on
    /// their own, and `send --json` has no event flags).
    func requireEvent(_ alternative: String = "") throws {
        if kind == nil, dedupKey == nil {
            throw ValidationError("--kind is required" + alternative)
        }
    }

    /// The event, validated exactly as a line of NDJSON would be.
    func decode() -> Result<AlertEvent, EventValidationError> {
        EventDecoder().decode(.object(jsonObject()))
    }

    /// The flags as the JSON object a sender would write, so flags and stdin are validated by
    /// the same code.
    func jsonObject() -> [String: JSONValue] {
        var object: [String: JSONValue] = [:]
        object["kind"] = kind.map(JSONValue.string)
        object["summary"] = summary.map(JSONValue.string)
        object["severity"] = severity.map(JSONValue.string)
        object["environment"] = environment.map(JSONValue.string)
        object["source"] = source.map(JSONValue.string)
        object["dedup_key"] = dedupKey.map(JSONValue.string)
        object["action"] = action.map(JSONValue.string)
        object["details"] = Self.detailsJSON(details)
        object["links"] = Self.linksJSON(links)
        return object
    }

    /// `--detail key=value`... as a JSON object; nil for none.
    static func detailsJSON(_ details: [String]) -> JSONValue? {
        guard !details.isEmpty else { return nil }
        var members: [String: JSONValue] = [:]
        for detail in details {
            let parts = detail.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            members[String(parts[0])] = .string(parts.count > 1 ? String(parts[1]) : "")
        }
        return .object(members)
    }

    /// `--link url[=text]`... as PagerDuty's `links`; nil for none.
    static func linksJSON(_ links: [String]) -> JSONValue? {
        guard !links.isEmpty else { return nil }
        return .array(links.map { link in
            let parts = link.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            var members: [String: JSONValue] = ["href": .string(String(parts[0]))]
            if parts.count > 1 { members["text"] = .string(String(parts[1])) }
            return .object(members)
        })
    }

    /// Names the flag rather than the JSON field: `--severity: "urgent" is not one of ...`.
    static func describe(_ error: EventValidationError) -> String {
        let flags = ["environment": "--env", "dedup_key": "--dedup-key", "details": "--detail", "links": "--link"]
        return error.problems.map { problem in
            guard let field = problem.field else { return problem.message }
            let root = String(field.prefix { $0 != "." && $0 != "[" })
            return "\(flags[root] ?? "--" + root): \(problem.message)"
        }.joined(separator: "; ")
    }

}
