import Foundation

/// Counts notifications per contact and medium in sliding windows, and keeps what it held back
/// so the next message that goes out can say so ("+7 more alerts since 10:02").
///
/// Nothing is dropped: a throttled notification becomes a ``DigestItem`` until a later one is
/// admitted and carries it. If that delivery fails, ``giveBack(_:for:)`` returns the items.
public actor ThrottleLedger {
    public struct Key: Hashable, Sendable {
        public var contact: String
        public var medium: ContactMedium

        public init(contact: String, medium: ContactMedium) {
            self.contact = contact
            self.medium = medium
        }
    }

    public enum Admission: Sendable, Hashable {
        /// Send it, with what was held back since the last message (possibly nothing).
        case allowed(Digest?)
        /// Held back; the next message after `nextAllowed` will carry it.
        case throttled(nextAllowed: Date)
    }

    private var sent: [Key: [Date]] = [:]
    private var heldBack: [Key: [DigestItem]] = [:]

    public init() {}

    public func admit(_ key: Key, rule: ThrottleRule, item: DigestItem, at now: Date) -> Admission {
        let windowStart = now - rule.window.timeInterval
        var times = (sent[key] ?? []).filter { $0 > windowStart }
        if times.count >= rule.limit, let oldest = times.first {
            sent[key] = times
            heldBack[key, default: []].append(item)
            return .throttled(nextAllowed: oldest + rule.window.timeInterval)
        }
        times.append(now)
        sent[key] = times
        let items = heldBack.removeValue(forKey: key) ?? []
        return .allowed(items.isEmpty ? nil : Digest(items: items))
    }

    /// Puts back a digest whose message could not be delivered, so the next one carries it.
    public func giveBack(_ digest: Digest, for key: Key) {
        heldBack[key, default: []].insert(contentsOf: digest.items, at: 0)
    }

    /// What is held back for `key`, oldest first.
    public func pending(_ key: Key) -> [DigestItem] { heldBack[key] ?? [] }
}

/// One notification that was held back by a throttle.
public struct DigestItem: Sendable, Hashable {
    public var alertID: Int64
    public var summary: String
    public var at: Date

    public init(alertID: Int64, summary: String, at: Date) {
        self.alertID = alertID
        self.summary = summary
        self.at = at
    }
}

/// What a message carries about the notifications held back before it.
public struct Digest: Sendable, Hashable {
    public var items: [DigestItem]

    public var count: Int { items.count }
    public var since: Date? { items.first?.at }
}
