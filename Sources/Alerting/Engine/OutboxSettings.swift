import Foundation

/// How a ``Notifier`` works the outbox.
public struct OutboxSettings: Sendable, Hashable {
    /// This process, as the holder of outbox claims.
    public var owner: LeaseOwner
    public var leaseDuration: Duration
    public var maxConcurrentDeliveries: Int
    public var giveUpAfter: Duration
    public var requeueDelay: Duration
    public var maxWaitInPlace: Duration
    /// Slots of channels that have their own, by channel name (a channel's `max_concurrent`).
    public var concurrencyByChannel: [String: Int]

    /// - Parameters:
    ///   - owner: this process, as the holder of claims.
    ///   - leaseDuration: how long a claim on an outbox item lasts before another process may
    ///     take it; it is renewed while the delivery runs.
    ///   - maxConcurrentDeliveries: deliveries in flight at once on each channel: a channel that
    ///     hangs holds its own, never another channel's.
    ///   - giveUpAfter: a page that keeps failing with retryable errors goes back to the outbox
    ///     and is tried again, every `requeueDelay` at the earliest, until it is this old.
    ///   - maxWaitInPlace: the longest wait between two attempts a delivery spends holding its
    ///     slot; a longer one (`Retry-After: 60`) goes back to the outbox.
    ///   - concurrencyByChannel: channels whose slots are not `maxConcurrentDeliveries`.
    public init(owner: LeaseOwner = LeaseOwner(), leaseDuration: Duration = .seconds(30), maxConcurrentDeliveries: Int = 32,
                giveUpAfter: Duration = .seconds(3600), requeueDelay: Duration = .seconds(30), maxWaitInPlace: Duration = .seconds(10),
                concurrencyByChannel: [String: Int] = [:]) {
        self.owner = owner
        self.leaseDuration = leaseDuration
        self.maxConcurrentDeliveries = max(1, maxConcurrentDeliveries)
        self.giveUpAfter = giveUpAfter
        self.requeueDelay = requeueDelay
        self.maxWaitInPlace = maxWaitInPlace
        self.concurrencyByChannel = concurrencyByChannel
    }

    /// How many deliveries `channel` has in flight at most: its own setting, else what the
    /// channel declares it takes (``ChannelCapabilities/concurrency``), else
    /// `maxConcurrentDeliveries`.
    public func slots(for channel: any Channel) -> Int {
        max(1, concurrencyByChannel[channel.name] ?? channel.capabilities.concurrency ?? maxConcurrentDeliveries)
    }
}
