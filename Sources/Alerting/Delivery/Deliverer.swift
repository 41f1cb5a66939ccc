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

    /// - Parameter maxWait: the longest wait between attempts spent here; a longer one (a
    ///   `Retry-After: 60`) ends the delivery as retryable, so the caller can put it back in the
    ///   outbox instead of holding a delivery slot. Nil: as long as the policy allows.
    /// - Parameter stop: when it is set, a wait between attempts ends and no attempt follows:
    ///   the delivery ends as retryable, for the outbox (an attempt already on the wire finishes).
    /// - Parameter shouldStop: asked before each retry; an outcome ends the delivery with it
    ///   (permanent: an acknowledgement taken meanwhile, perhaps by another instance;
    ///   retryable: a claim this process can no longer renew).
    public func deliver(_ notification: Notification, via channel: any Channel, maxWait: Duration? = nil, stop: StopSignal? = nil,
                        shouldStop: (@Sendable () async -> DeliveryOutcome?)? = nil) async -> DeliveryReport {
        var attempts: [DeliveryReport.Attempt] = []
        while true {
            if !attempts.isEmpty, let ending = await shouldStop?() {
                logger.debug("not retrying", metadata: ["channel": "\(channel.name)", "alert": "\(notification.alert.id)", "reason": "\(ending.reason ?? "")"])
                attempts.append(.init(startedAt: clock.now(), outcome: ending))
                break
            }
            let started = clock.now()
            let outcome = await channel.deliver(notification)
            attempts.append(.init(startedAt: started, outcome: outcome))
            guard case .retryable(let reason, let retryAfter) = outcome else { break }
            guard let wait = policy.delay(afterAttempt: attempts.count, retryAfter: retryAfter, random: random()) else {
                logger.debug("giving up for now", metadata: ["channel": "\(channel.name)", "alert": "\(notification.alert.id)", "attempts": "\(attempts.count)", "reason": "\(reason)"])
                break
            }
            if let maxWait, wait > maxWait {
                logger.info("delivery failed; trying again later", metadata: ["channel": "\(channel.name)", "alert": "\(notification.alert.id)", "attempt": "\(attempts.count)", "reason": "\(reason)", "wait": "\(DurationParser.format(wait))"])
                break
            }
            logger.info("delivery failed, retrying", metadata: ["channel": "\(channel.name)", "alert": "\(notification.alert.id)", "attempt": "\(attempts.count)", "reason": "\(reason)", "wait": "\(DurationParser.brief(wait))"])
            if let stop {
                guard await !stop.sleep(for: wait, clock: clock) else { break }  // stopping: the outcome stays retryable
            } else {
                do {
                    try await clock.sleep(for: wait)
                } catch {
                    break  // cancelled: report what we have; the outcome stays retryable
                }
            }
        }
        return DeliveryReport(channel: channel.name, attempts: attempts)
    }
}
