import Foundation

/// One delivery attempt as the store keeps it.
package struct AttemptJSON: Codable {
    /// Unix time with fractions: ordering against the alert log needs better than seconds.
    var at: Double
    var outcome: String
    var reason: String?
    var providerID: String?
    var retryAfterSeconds: Double?
    var nextAllowed: Date?

    enum CodingKeys: String, CodingKey {
        case at, outcome, reason, providerID = "provider_id", retryAfterSeconds = "retry_after_seconds", nextAllowed = "next_allowed"
    }

    init(_ attempt: DeliveryReport.Attempt) {
        at = attempt.startedAt.timeIntervalSince1970
        outcome = attempt.outcome.label
        reason = attempt.outcome.reason
        switch attempt.outcome {
        case .delivered(let id): providerID = id
        case .retryable(_, let retryAfter): retryAfterSeconds = retryAfter?.timeInterval
        case .throttled(let date): nextAllowed = date
        case .permanent: break
        }
    }

    /// As ``JSONEncoder/notify(pretty:)`` would write it (what `deliveries(alertID:)` reads),
    /// without Foundation's coder on the hot path.
    var json: JSONValue {
        var object: [String: JSONValue] = ["at": .double(at), "outcome": .string(outcome)]
        if let reason { object["reason"] = .string(reason) }
        if let providerID { object["provider_id"] = .string(providerID) }
        if let retryAfterSeconds { object["retry_after_seconds"] = .double(retryAfterSeconds) }
        if let nextAllowed { object["next_allowed"] = .string(nextAllowed.formatted(Date.ISO8601FormatStyle())) }
        return .object(object)
    }

    var attempt: DeliveryReport.Attempt {
        let outcome: DeliveryOutcome
        switch self.outcome {
        case "delivered": outcome = .delivered(providerID: providerID)
        case "retryable": outcome = .retryable(reason: reason ?? "", retryAfter: retryAfterSeconds.map { .milliseconds(Int64($0 * 1000)) })
        case "throttled": outcome = .throttled(nextAllowed: nextAllowed ?? Date(timeIntervalSince1970: at))
        default: outcome = .permanent(reason: reason ?? "")
        }
        return DeliveryReport.Attempt(startedAt: Date(timeIntervalSince1970: at), outcome: outcome)
    }
}

extension JSONDecoder {
    /// The decoder for what notify wrote with ``JSONEncoder/notify(pretty:)``.
    package static func notify() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
