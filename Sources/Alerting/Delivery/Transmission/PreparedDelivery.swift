import Foundation

/// A page admitted inside the round's transaction and ready to go out: the outbox item it
/// delivers (and the other pages to the same person it carries), its channel, and the
/// notification as admission made it (alert, the event that caused it, the person, the digest,
/// the thread). Transmission renders it, sends it, and hands back a report; nothing in it is
/// read from the store again.
public struct PreparedDelivery: Sendable {
    /// The outbox item it delivers; nil for a test or direct delivery (nothing is recorded).
    public var item: OutboxItem?
    /// Other waiting pages to the same person this message carries: done when it is delivered.
    public var carried: [OutboxItem]
    public var channel: any Channel
    public var notification: Notification

    public init(item: OutboxItem?, carried: [OutboxItem] = [], channel: any Channel, notification: Notification) {
        self.item = item
        self.carried = carried
        self.channel = channel
        self.notification = notification
    }

    /// What a report about it is addressed to: its channel and person.
    func report(_ outcome: DeliveryOutcome, at date: Date) -> DeliveryReport {
        DeliveryReport(channel: channel.name, recipient: notification.recipient?.name, attempts: [.init(startedAt: date, outcome: outcome)])
    }
}
