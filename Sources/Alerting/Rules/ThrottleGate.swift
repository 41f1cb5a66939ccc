import Foundation

/// Per-person throttles (SMS 5 per 15 minutes, calls 3, by default), kept in the store so that
/// every notify process counts together and nothing throttled is lost:
///
/// - a throttled page stays in the outbox, sent back until its window frees;
/// - the next message admitted to that person by that medium carries the pages waiting for
///   them as its digest ("+3 more since 10:02Z"); they are done only once it is delivered.
public enum ThrottleGate {
    public enum Admission: Sendable, Hashable {
        case allowed
        /// The window is full until `nextAllowed`.
        case throttled(nextAllowed: Date)
    }

    /// Counts a message to `contact` by `medium` if the window has room.
    public static func admit(contact: String, medium: ContactMedium, rule: ThrottleRule, at now: Date,
                             in transaction: any StoreTransaction) throws -> Admission {
        try transaction.lockLedger(.throttle(contact: contact, medium: medium))
        try transaction.deleteThrottleSends(contact: contact, medium: medium, notAfter: now - rule.window.timeInterval)
        let sends = try transaction.throttleSends(contact: contact, medium: medium)
        if sends.count >= rule.limit, let oldest = sends.first {
            return .throttled(nextAllowed: oldest + rule.window.timeInterval)
        }
        try transaction.insertThrottleSend(contact: contact, medium: medium, at: now)
        return .allowed
    }

    /// The pages waiting for `contact` through one of `channels` (the medium's), whether ready
    /// or sent back to wait (a throttle, a retry) and not claimed by anyone: what a message
    /// admitted now carries.
    public static func waiting(for contact: String, channels: Set<String>, besides itemID: Int64?, at now: Date,
                               in transaction: any StoreTransaction) throws -> [OutboxItem] {
        try transaction.openOutbox(recipient: contact).filter { row in
            row.isPending && row.item.id != itemID && row.item.action == .trigger && row.item.digestOf.isEmpty && channels.contains(row.item.target.channel)
        }.map(\.item)
    }
}
