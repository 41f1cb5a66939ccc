/// Sends through the channel, retrying what the channel says is worth it (``Deliverer``:
/// backoff, jitter, `Retry-After`). A wait longer than `maxWait` ends the delivery as retryable,
/// so it goes back to the outbox instead of holding its channel's slot. Before each retry it
/// asks `shouldStop` whether to go on (an acknowledgement meanwhile, a claim that can no longer
/// be renewed, the process stopping).
public struct SendStage: TransmissionStage {
    public let name = "send"
    let deliverer: Deliverer
    let maxWait: Duration?
    let shouldStop: (@Sendable (PreparedDelivery) async -> DeliveryOutcome?)?
    let stop: StopSignal?

    public init(deliverer: Deliverer, maxWait: Duration? = nil, stop: StopSignal? = nil,
                shouldStop: (@Sendable (PreparedDelivery) async -> DeliveryOutcome?)? = nil) {
        self.deliverer = deliverer
        self.maxWait = maxWait
        self.stop = stop
        self.shouldStop = shouldStop
    }

    public func transmit(_ delivery: PreparedDelivery) async -> TransmissionStep {
        var ask: (@Sendable () async -> DeliveryOutcome?)?
        if let shouldStop { ask = { await shouldStop(delivery) } }
        var report = await deliverer.deliver(delivery.notification, via: delivery.channel, maxWait: maxWait, stop: stop, shouldStop: ask)
        report.recipient = delivery.notification.recipient?.name
        return .finished(report)
    }
}
