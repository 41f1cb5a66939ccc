import Logging

/// Delivers one notification through one channel, retrying what the channel says is worth
/// retrying, as ``RetryPolicy`` allows.
public struct Deliverer: Sendable {
    public var policy: RetryPolicy
    public var clock: any AlertingClock
    public var logger: Logger
    public var random: @Sendable () -> Double

    public init(policy: RetryPolicy = RetryPolicy(), clock: any AlertingClock = SystemClock(), logger: Logger = Logger(label: "notify.delivery"), random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.policy = policy
        self.clock = clock
        self.logger = logger
        self.random = random
    }

    public func deliver(_ notification: Notification, via channel: any Channel) async -> DeliveryReport {
        var attempts: [DeliveryReport.Attempt] = []
        while true {
            let started = clock.now()
            let outcome = await channel.deliver(notification)
            attempts.append(.init(startedAt: started, outcome: outcome))
            guard case .retryable(let reason, let retryAfter) = outcome else { break }
            guard let wait = policy.delay(afterAttempt: attempts.count, retryAfter: retryAfter, random: random()) else {
                logger.warning("giving up for now", metadata: ["channel": "\(channel.name)", "alert": "\(notification.alert.id)", "attempts": "\(attempts.count)", "reason": "\(reason)"])
                break
            }
            logger.info("delivery failed, retrying", metadata: ["channel": "\(channel.name)", "alert": "\(notification.alert.id)", "attempt": "\(attempts.count)", "reason": "\(reason)", "wait": "\(wait)"])
            do {
                try await clock.sleep(for: wait)
            } catch {
                break  // cancelled: report what we have; the outcome stays retryable
            }
        }
        return DeliveryReport(channel: channel.name, attempts: attempts)
    }
}
