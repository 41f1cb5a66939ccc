/// Why a delivery failed, in a few words a dashboard can group by (`/metrics` labels
/// `notify_notifications_total` with it): a provider limiting its rate is not a provider down,
/// and neither is a page the provider refused.
public enum FailureCategory: String, Sendable, Hashable, CaseIterable {
    /// 429: the provider asked to slow down.
    case rateLimited = "rate_limited"
    /// 5xx, 408, 425: the provider failed.
    case serverError = "server_error"
    /// Any other 4xx: the provider refused the request (a bad token, a deleted hook).
    case rejected
    /// No answer in time, or no connection in time.
    case timeout
    /// Refused, reset, unreachable, a name not found: the request may not have left.
    case network
    /// Held back by a throttle (not lost: a digest carries it).
    case throttled
    /// Anything else a channel said (no address for the person, a month's quota used up).
    case other
}

extension DeliveryOutcome {
    /// Nil when delivered. Read from the reason's standard opening, which
    /// ``HTTPResponseClassifier`` writes for every HTTP channel (`HTTP 429`, `no answer within
    /// 10s`, `connection refused`): the one place these reasons are made, and so the one
    /// place they are read. Retries never depend on it.
    public var failureCategory: FailureCategory? {
        switch self {
        case .delivered: nil
        case .throttled: .throttled
        case .retryable(let reason, _), .permanent(let reason): HTTPResponseClassifier.category(of: reason)
        }
    }
}
