/// How hard to try a delivery: exponential backoff with jitter, bounded by an attempt budget,
/// and the provider's `Retry-After` when it gives one.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included. 1 means no retry.
    public var maxAttempts: Int
    /// The wait before the second attempt; it doubles for each one after.
    public var initialBackoff: Duration
    public var maxBackoff: Duration
    /// The fraction of each wait that is random (0.2: ±20%), so many notifiers retrying at once
    /// do not hit a recovering gateway together.
    public var jitter: Double
    /// A `Retry-After` longer than this is not waited for here: the delivery is reported as
    /// retryable instead (exit 75), so a script is not held for an hour.
    public var maxRetryAfter: Duration

    public init(
        maxAttempts: Int = 4,
        initialBackoff: Duration = .milliseconds(500),
        maxBackoff: Duration = .seconds(30),
        jitter: Double = 0.2,
        maxRetryAfter: Duration = .seconds(120)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.jitter = min(max(jitter, 0), 1)
        self.maxRetryAfter = maxRetryAfter
    }

    /// The wait before attempt `attempt + 1`, after attempt `attempt` (1-based) failed, or nil
    /// when there should be no further attempt.
    /// - Parameter random: a number in 0..<1 (injected for tests).
    public func delay(afterAttempt attempt: Int, retryAfter: Duration?, random: Double) -> Duration? {
        guard attempt < maxAttempts else { return nil }
        if let retryAfter {
            return retryAfter <= maxRetryAfter ? retryAfter : nil
        }
        let exponent = min(attempt - 1, 30)
        let base = min(initialBackoff * (1 << exponent), maxBackoff)
        let factor = 1 + jitter * (2 * random - 1)
        return base * factor
    }
}
