import Foundation

/// An outbox item and where it stands.
public struct OutboxRow: Sendable, Hashable {
    public enum State: Sendable, Hashable {
        /// Nobody holds it; with a date, not before then (a retry waiting out its delay).
        case pending(notBefore: Date?)
        /// `owner` holds it until `until`.
        case claimed(owner: String, until: Date)
        /// Finished, with the outcome's label (`delivered`, `permanent`, ...).
        case done(outcome: String)
    }

    public var item: OutboxItem
    public var state: State

    public init(item: OutboxItem, state: State) {
        self.item = item
        self.state = state
    }

    public var isPending: Bool {
        if case .pending = state { return true }
        return false
    }
}

/// The outbox's open rows, counted.
public struct OutboxCounts: Sendable, Hashable {
    /// Rows nobody holds (ready now or waiting for a retry's time).
    public var pending: Int
    /// Claimed rows by lease owner (a lease that ran out still counts until it is taken back).
    public var claimed: [String: Int]

    public init(pending: Int = 0, claimed: [String: Int] = [:]) {
        self.pending = pending
        self.claimed = claimed
    }
}

/// A silence as stored: its matchers as text, parsed by the engine (an unreadable one must
/// silence nothing, never everything).
public struct SilenceRow: Sendable, Hashable {
    public var id: Int64
    public var matchers: [String]
    public var startsAt: Date
    public var endsAt: Date
    public var comment: String?
    public var createdBy: String?

    public init(id: Int64, matchers: [String], startsAt: Date, endsAt: Date, comment: String?, createdBy: String?) {
        self.id = id
        self.matchers = matchers
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.comment = comment
        self.createdBy = createdBy
    }
}

/// A heartbeat's last beat, and when notify first looked for it.
public struct BeatRow: Sendable, Hashable {
    public var name: String
    public var lastBeat: Date?
    public var firstSeen: Date

    public init(name: String, lastBeat: Date?, firstSeen: Date) {
        self.name = name
        self.lastBeat = lastBeat
        self.firstSeen = firstSeen
    }
}

/// A running notify (`daemon`, `serve`, `watch`) as it last reported itself.
public struct InstanceRow: Sendable, Hashable, Encodable {
    /// Its ``LeaseOwner`` description: host, pid and a nonce.
    public var owner: String
    public var role: String
    public var startedAt: Date
    public var lastSeen: Date

    public init(owner: String, role: String, startedAt: Date, lastSeen: Date) {
        self.owner = owner
        self.role = role
        self.startedAt = startedAt
        self.lastSeen = lastSeen
    }

    enum CodingKeys: String, CodingKey {
        case owner, role, startedAt = "started_at", lastSeen = "last_seen"
    }
}

/// Storm control's ledger: an alert paged a contact at a time.
public struct ContactPage: Sendable, Hashable {
    public var contact: String
    public var alertID: Int64
    public var at: Date

    public init(contact: String, alertID: Int64, at: Date) {
        self.contact = contact
        self.alertID = alertID
        self.at = at
    }
}

/// A page held back by storm control until its contact's digest goes out.
public struct HeldPage: Sendable, Hashable {
    public var contact: String
    public var alertID: Int64
    public var channel: String
    public var at: Date
    public var digestAt: Date

    public init(contact: String, alertID: Int64, channel: String, at: Date, digestAt: Date) {
        self.contact = contact
        self.alertID = alertID
        self.channel = channel
        self.at = at
        self.digestAt = digestAt
    }
}
