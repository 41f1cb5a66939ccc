import Foundation

/// Reads a PagerDuty change event (`POST /v2/change/enqueue`, what CI systems and Grafana send
/// on a deploy): `payload.summary` (required), `payload.timestamp`, `payload.source`,
/// `payload.custom_details`, and `links`. The environment it concerns is
/// `custom_details.environment` (or `env`), else the caller's (an integration's); a change
/// that names none concerns every alert.
public struct ChangeEventDecoder: Sendable {
    public let limits: EventLimits

    public init(limits: EventLimits = EventLimits()) {
        self.limits = limits
    }

    /// - Parameter receivedAt: the change's time when it gives no `timestamp`.
    public func decode(_ value: JSONValue, receivedAt: Date) -> Result<ChangeEvent, EventValidationError> {
        guard case .object(let object) = value else {
            return .failure(EventValidationError(problems: [.init(field: nil, "expected a JSON object")]))
        }
        var reader = FieldReader(object: object, limits: limits)
        var change: ChangeEvent?
        if var payload = reader.nested("payload", required: true) {
            let summary = payload.summary("summary", required: true, requiredFor: "a change")
            let source = payload.name("source")
            let timestamp = payload.timestamp("timestamp")
            let details = payload.details("custom_details")
            reader.problems += payload.problems
            var environment: String?
            for key in ["environment", "env"] {
                if case .string(let named)? = details[key], !named.isEmpty { environment = named; break }
            }
            if let summary {
                change = ChangeEvent(summary: summary, source: source, at: timestamp ?? receivedAt, environment: environment, details: details)
            }
        }
        let links = reader.links("links")
        guard reader.problems.isEmpty, var decoded = change else { return .failure(EventValidationError(problems: reader.problems)) }
        decoded.links = links
        return .success(decoded)
    }
}
