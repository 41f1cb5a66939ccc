import Alerting
import AlertingConfig
import Foundation

/// Alertmanager's webhook body (version 4): each alert in it becomes one notify event, mapped by
/// an ``AlertmanagerMapping``. A firing alert triggers, a resolved one resolves; the dedup key
/// is `alertmanager/FINGERPRINT`, so Alertmanager's repeats land on the same notify alert.
public enum AlertmanagerPayload {
    /// The events of a group, all or none: a failure when any alert is invalid.
    public static func events(from body: some Collection<UInt8>, mapping: AlertmanagerMapping = AlertmanagerMapping()) -> Result<[AlertEvent], EventValidationError> {
        group(from: body, mapping: mapping).flatMap { group in
            group.problems.isEmpty ? .success(group.events) : .failure(EventValidationError(problems: group.problems))
        }
    }

    /// A group's valid alerts as events, and what is wrong with the others (by their index):
    /// one bad alert must not cost the good ones of its group. A failure only for a body that
    /// is not a version 4 group at all.
    public static func group(from body: some Collection<UInt8>, mapping: AlertmanagerMapping = AlertmanagerMapping()) -> Result<Group, EventValidationError> {
        let value: JSONValue
        do {
            value = try JSONParser.parse(body)
        } catch {
            return .failure(EventValidationError(problems: [.init(field: nil, "not valid JSON: \(error)")]))
        }
        guard case .object(let root) = value else {
            return .failure(EventValidationError(problems: [.init(field: nil, "expected a JSON object, got \(value.typeName)")]))
        }
        if let version = root["version"], version != .string("4") {
            return .failure(EventValidationError(problems: [.init(field: "version", "\(version.displayText) is not supported: expected \"4\"")]))
        }
        guard case .array(let alerts)? = root["alerts"] else {
            return .failure(EventValidationError(problems: [.init(field: "alerts", "missing, or not an array")]))
        }
        var events: [AlertEvent] = []
        var problems: [EventValidationError.Problem] = []
        for (index, alertValue) in alerts.enumerated() {
            switch event(from: alertValue, mapping: mapping, externalURL: root["externalURL"]?.stringValue) {
            case .success(let event): events.append(event)
            case .failure(let error):
                let problem = error.problem
                problems.append(.init(field: "alerts[\(index)]" + (problem.field.map { ".\($0)" } ?? ""), problem.message))
            }
        }
        return .success(Group(events: events, problems: problems))
    }

    public struct Group: Sendable {
        public var events: [AlertEvent]
        public var problems: [EventValidationError.Problem]
    }

    static func event(from value: JSONValue, mapping: AlertmanagerMapping, externalURL: String?) -> Result<AlertEvent, ProblemError> {
        guard case .object(let alert) = value else { return .failure(ProblemError(field: nil, "expected an object")) }
        let labels = stringMap(alert["labels"])
        let annotations = stringMap(alert["annotations"])
        guard let fingerprint = alert["fingerprint"]?.stringValue, !fingerprint.isEmpty else { return .failure(ProblemError(field: "fingerprint", "missing")) }
        let action: EventAction
        switch alert["status"]?.stringValue {
        case "firing": action = .trigger
        case "resolved": action = .resolve
        case let other: return .failure(ProblemError(field: "status", "\(other.map { "\"\($0)\"" } ?? "missing"): expected firing or resolved"))
        }
        func first(_ names: [String], in map: [String: String]) -> String? {
            names.lazy.compactMap { map[$0] }.first { !$0.isEmpty }
        }
        let kind = first(mapping.kind, in: labels).flatMap(kindName).flatMap(AlertKind.init(rawValue:)) ?? AlertKind(rawValue: "alertmanager")!
        var severity: Severity?
        if let text = first(mapping.severity, in: labels)?.lowercased() { severity = Severity(rawValue: text) ?? mapping.severityMap[text] }
        var details: [String: JSONValue] = [
            "labels": .object(labels.mapValues(JSONValue.string)),
            "fingerprint": .string(fingerprint),
        ]
        if !annotations.isEmpty { details["annotations"] = .object(annotations.mapValues(JSONValue.string)) }
        if let startsAt = alert["startsAt"]?.stringValue { details["starts_at"] = .string(startsAt) }
        var links: [Link] = []
        if let url = alert["generatorURL"]?.stringValue, url.hasPrefix("http") { links.append(Link(href: url, text: "Source")) }
        if let externalURL, externalURL.hasPrefix("http") { links.append(Link(href: externalURL, text: "Alertmanager")) }
        if let runbook = annotations["runbook_url"], runbook.hasPrefix("http") { links.append(Link(href: runbook, text: "Runbook")) }
        let summary = first(mapping.summary, in: annotations) ?? labels["alertname"] ?? "Alertmanager alert \(fingerprint)"
        return .success(AlertEvent(
            kind: kind, action: action, severity: severity,
            environment: first(mapping.environment, in: labels), source: first(mapping.source, in: labels),
            summary: String(summary.prefix(1024)), dedupKey: "alertmanager/\(fingerprint)", details: details, links: links,
            actor: action == .resolve ? "alertmanager" : nil))
    }

    /// `HighLatency` → `high_latency`; `HTTPServerDown` → `http_server_down` (an acronym is one
    /// word); `MySQLPrimaryDown` → `mysql_primary_down` (a product's own spelling is one word);
    /// `DB Failover!` → `db_failover`. Nil when nothing is left.
    static func kindName(_ text: String) -> String? {
        var text = text
        for (spelling, word) in productNames where text.contains(spelling) { text = text.replacingOccurrences(of: spelling, with: word) }
        var out = ""
        let characters = Array(text)
        for (index, character) in characters.enumerated() {
            if character.isUppercase, index > 0 {
                let previous = characters[index - 1]
                let next = index + 1 < characters.count ? characters[index + 1] : nil
                // A word starts at an upper case letter after a lower case one or a digit
                // (`HighLatency`), or at the last capital of an acronym (`HTTPServer`).
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && next?.isLowercase == true) { out += "_" }
            }
            if character.isLetter || character.isNumber || character == "." || character == "-" {
                out += character.lowercased()
            } else if !out.hasSuffix("_") {
                out += "_"
            }
        }
        let trimmed = String(out.trimmingCharacters(in: CharacterSet(charactersIn: "_")).unicodeScalars.filter { $0.isASCII }.prefix(64))
        return AlertKind.isValidName(trimmed) ? trimmed : nil
    }

    /// Names whose capitals are not word breaks, as their makers spell them, with the one word
    /// each becomes (capitalized, so the next word still starts at the following capital).
    static let productNames: [(String, String)] = [
        ("PostgreSQL", "Postgresql"), ("MySQL", "Mysql"), ("MariaDB", "Mariadb"), ("MongoDB", "Mongodb"), ("DynamoDB", "Dynamodb"),
        ("CockroachDB", "Cockroachdb"), ("InfluxDB", "Influxdb"), ("ClickHouse", "Clickhouse"), ("RabbitMQ", "Rabbitmq"),
        ("ZooKeeper", "Zookeeper"), ("OpenSearch", "Opensearch"), ("ElasticSearch", "Elasticsearch"), ("GraphQL", "Graphql"),
        ("HAProxy", "Haproxy"), ("PgBouncer", "Pgbouncer"), ("CoreDNS", "Coredns"), ("GitHub", "Github"), ("GitLab", "Gitlab"), ("OAuth", "Oauth"),
    ]

    struct ProblemError: Error {
        var problem: EventValidationError.Problem
        init(field: String?, _ message: String) { problem = .init(field: field, message) }
    }

    private static func stringMap(_ value: JSONValue?) -> [String: String] {
        guard case .object(let object)? = value else { return [:] }
        return object.compactMapValues(\.stringValue)
    }
}

extension JSONValue {
    /// The string, when this is one.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}
