import Foundation

/// Turns one JSON object (a line of NDJSON, a request body) into a validated ``AlertEvent``.
///
/// Two shapes are accepted on the same stream:
/// - notify's own (`kind`, `action`, `severity`, `environment`, `source`, `summary`,
///   `dedup_key`, `details`, `timestamp`, `links`), and
/// - a PagerDuty Events API v2 body (`event_action`, `payload`, `dedup_key`, ...), recognised by
///   its `event_action` or `payload` key, so existing senders can point at notify unchanged.
///
/// Unknown fields are ignored; a field of the wrong type or value is an error that names it.
public struct EventDecoder: Sendable {
    public var limits: EventLimits
    /// Makes a dedup key for PagerDuty triggers that carry none (PagerDuty opens a new alert
    /// for each of them). Injected so tests are repeatable.
    public var makeUniqueKey: @Sendable () -> String

    public init(limits: EventLimits = EventLimits(), makeUniqueKey: @escaping @Sendable () -> String = { UUID().uuidString.lowercased() }) {
        self.limits = limits
        self.makeUniqueKey = makeUniqueKey
    }

    /// Decodes and validates one JSON text.
    /// - Parameter line: the 1-based line number to name in errors, when the text came from a stream.
    public func decode(_ text: some Collection<UInt8>, line: Int? = nil) -> Result<AlertEvent, EventValidationError> {
        let value: JSONValue
        do {
            value = try JSONParser.parse(text)
        } catch {
            return .failure(EventValidationError(line: line, problems: [.init(field: nil, "not valid JSON: \(error)")]))
        }
        return decode(value, line: line)
    }

    /// Validates an already parsed JSON value.
    public func decode(_ value: JSONValue, line: Int? = nil) -> Result<AlertEvent, EventValidationError> {
        guard case .object(let object) = value else {
            return .failure(EventValidationError(line: line, problems: [.init(field: nil, "expected a JSON object, got \(value.typeName)")]))
        }
        var reader = FieldReader(object: object, limits: limits)
        let event = object["event_action"] != nil || object["payload"] != nil
            ? readPagerDutyEvent(&reader)
            : readNativeEvent(&reader)
        if let event, reader.problems.isEmpty { return .success(event) }
        return .failure(EventValidationError(line: line, problems: reader.problems))
    }

    private func readNativeEvent(_ reader: inout FieldReader) -> AlertEvent? {
        let action = reader.enumeration("action", EventAction.self) ?? .trigger
        let dedupKey = reader.dedupKey("dedup_key")
        let kindName = reader.string("kind")
        // An acknowledge or resolve that names its alert by dedup_key needs no kind.
        let kindRequired = action == .trigger || dedupKey == nil
        var kind: AlertKind?
        if let kindName {
            kind = AlertKind(rawValue: kindName)
            if kind == nil { reader.problem("kind", "\(quoted(kindName)) is not valid: expected \(AlertKind.namingRule)") }
        } else if kindRequired, !reader.hasProblem(for: "kind") {
            reader.problem("kind", "missing (required\(action == .trigger ? "" : " when there is no dedup_key"))")
        }
        let severity = reader.enumeration("severity", Severity.self)
        let environment = reader.name("environment")
        let source = reader.name("source")
        // A heartbeat's beat says only who is alive: its source names the heartbeat.
        let isBeat = kind == .heartbeat
        if isBeat, source == nil, !reader.hasProblem(for: "source") { reader.problem("source", "missing (it names the heartbeat)") }
        let summary = reader.summary("summary", required: action == .trigger && !isBeat)
        let details = reader.details("details")
        let timestamp = reader.timestamp("timestamp")
        let links = reader.links("links")
        let actor = reader.name("actor")
        let note = reader.string("note")
        guard reader.problems.isEmpty else { return nil }
        return AlertEvent(
            kind: kind ?? .unspecified, action: action, severity: severity, environment: environment,
            source: source, summary: summary, dedupKey: dedupKey, details: details,
            timestamp: timestamp, links: links, actor: actor, note: note)
    }

    /// Maps a PagerDuty Events v2 body: `payload.source` → source, `payload.group` →
    /// environment, `payload.class` → kind (when it is a valid kind name, else `pagerduty`),
    /// `component` and `custom_details` → details.
    private func readPagerDutyEvent(_ reader: inout FieldReader) -> AlertEvent? {
        guard let action = reader.enumeration("event_action", EventAction.self) else {
            if !reader.hasProblem(for: "event_action") { reader.problem("event_action", "missing (required: one of \(EventAction.allowedValues))") }
            return nil
        }
        let dedupKey = reader.dedupKey("dedup_key")
        if action != .trigger, dedupKey == nil, !reader.hasProblem(for: "dedup_key") {
            reader.problem("dedup_key", "missing (required to \(action.rawValue))")
        }
        var kind = AlertKind.pagerDuty
        var severity: Severity?
        var environment: String?
        var source: String?
        var summary: String?
        var details: [String: JSONValue] = [:]
        var timestamp: Date?
        if var payload = reader.nested("payload", required: action == .trigger) {
            summary = payload.summary("summary", required: action == .trigger)
            source = payload.name("source")
            if source == nil, action == .trigger, !payload.hasProblem(for: "source") { payload.problem("source", "missing (required for a trigger)") }
            severity = payload.enumeration("severity", Severity.self)
            if severity == nil, action == .trigger, !payload.hasProblem(for: "severity") {
                payload.problem("severity", "missing (required: one of \(Severity.allowedValues))")
            }
            environment = payload.name("group")
            timestamp = payload.timestamp("timestamp")
            if let className = payload.string("class"), let named = AlertKind(rawValue: className) { kind = named }
            if let component = payload.string("component") { details["component"] = .string(component) }
            details.merge(payload.details("custom_details")) { _, custom in custom }
            reader.problems += payload.problems
        }
        var links = reader.links("links")
        if let clientURL = reader.string("client_url") {
            links.append(Link(href: clientURL, text: reader.string("client")))
        }
        guard reader.problems.isEmpty else { return nil }
        return AlertEvent(
            kind: action == .trigger ? kind : .unspecified, action: action, severity: severity,
            environment: environment, source: source, summary: summary,
            dedupKey: dedupKey ?? makeUniqueKey(), details: details, timestamp: timestamp, links: links)
    }
}

extension AlertKind {
    /// The kind given to acknowledge and resolve events that name their alert by dedup key
    /// alone; the alert keeps its own kind.
    public static let unspecified = AlertKind(rawValue: "unspecified")!
    /// The kind of PagerDuty events whose `payload.class` is not a valid kind name.
    public static let pagerDuty = AlertKind(rawValue: "pagerduty")!
}

package func quoted(_ text: String) -> String {
    let shown = text.count > 80 ? String(text.prefix(80)) + "…" : text
    return "\"" + shown + "\""
}
