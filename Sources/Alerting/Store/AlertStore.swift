import Foundation

/// Where alert state lives: a small transactional seam, the way Hummingbird's `PersistDriver`
/// sits beside `MemoryPersistDriver`. A store runs a transaction and offers plain reads and
/// writes of rows (``StoreTransaction``); it decides nothing. Dedup, escalation, the outbox's
/// lease and fallback rules, storm control and the detectors live above it, written once
/// (``AlertRecorder``, ``EscalationFirer``, ``OutboxQueue``, ``StormGate``, ``Detector``), so
/// every store applies the same rules and passes the same conformance suite.
///
/// A transaction is atomic and isolated: its body sees its own writes, and either all of them
/// are kept or, when the body throws, none.
public protocol AlertStore: Sendable {
    /// Runs `body` in one write transaction.
    func write<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async throws -> T

    /// Runs `body` with a consistent view of the store; it must not write.
    func read<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async throws -> T
}

/// The plain row verbs a store offers inside a transaction. Each is a lookup, an insert, an
/// update or a delete; none applies a rule of its own.
public protocol StoreTransaction: AnyObject {
    // MARK: Alerts
    /// The alert with this key that is not resolved, if any.
    func openAlert(dedupKey: String) throws -> Alert?
    func alert(id: Int64) throws -> Alert?
    /// One alert's status alone (cheaper than the whole row).
    func alertStatus(id: Int64) throws -> AlertStatus?
    /// Alerts whose status is one of `statuses`, newest first.
    func alerts(statuses: Set<AlertStatus>) throws -> [Alert]
    /// The alerts with these ids, in any order (a claimed round's alerts, in one statement).
    func alerts(ids: [Int64]) throws -> [Alert]
    /// Stores a new alert (its `id` is ignored) and returns the id the store gave it.
    func insertAlert(_ alert: Alert) throws -> Int64
    /// Writes an alert's status, last-seen time and count.
    func updateAlert(_ alert: Alert) throws

    // MARK: Timeline
    func appendLog(_ entry: AlertLogEntry) throws
    /// One alert's timeline, oldest first.
    func log(alertID: Int64) throws -> [AlertLogEntry]
    /// Timeline entries of alerts of `kind` from `since` on, oldest first, with their alert.
    func logEntries(kind: AlertKind, since: Date) throws -> [(alert: Alert, entry: AlertLogEntry)]

    // MARK: Escalations
    /// The escalations of one alert (one per route), by route name.
    func escalations(alertID: Int64) throws -> [EscalationState]
    /// Escalations with `dueAt <= now`, earliest first, at most `limit`.
    func dueEscalations(at now: Date, limit: Int) throws -> [EscalationState]
    /// Inserts or replaces the escalation of `(alertID, route)`.
    func saveEscalation(_ escalation: EscalationState) throws
    func deleteEscalation(alertID: Int64, route: String) throws
    func earliestEscalationDue() throws -> Date?

    // MARK: Outbox
    /// Stores a new item (its `id` is ignored) as pending and returns its id.
    func insertOutbox(_ item: OutboxItem) throws -> Int64
    func outboxRow(id: Int64) throws -> OutboxRow?
    /// Every outbox row of one alert, by id.
    func outbox(alertID: Int64) throws -> [OutboxRow]
    /// Rows that may be claimed at `now`, by id, at most `limit`: pending ones not held back
    /// past `now`, and claimed ones whose lease ended before `now` or whose owner is in
    /// `ownersGone`. A store shared by several processes locks the rows it returns until the
    /// transaction ends and skips rows another transaction holds.
    func claimCandidates(at now: Date, ownersGone: [String], limit: Int) throws -> [OutboxRow]
    /// The owners of claims whose lease has not ended at `now`.
    func leaseOwners(at now: Date) throws -> [String]
    func saveOutbox(_ row: OutboxRow) throws
    /// Writes one state to the rows with these ids (a round's claims, in one statement).
    func setOutboxState(_ state: OutboxRow.State, ids: [Int64]) throws
    func deleteOutbox(id: Int64) throws
    /// The earliest time an outbox row may need attention: a pending row's ready time or a
    /// claim's lease end.
    func earliestOutboxTime() throws -> Date?
    /// Rows not done (pending or claimed) for one recipient, by id.
    func openOutbox(recipient: String) throws -> [OutboxRow]
    /// How many rows are pending, and how many claimed rows each lease owner holds.
    func outboxCounts() throws -> OutboxCounts

    // MARK: Deliveries
    func insertDelivery(_ record: DeliveryRecord) throws
    /// One alert's deliveries, oldest first.
    func deliveries(alertID: Int64) throws -> [DeliveryRecord]
    /// The alert of the latest delivered message to `recipient` through one of `channels`.
    func lastDeliveredAlert(to recipient: String, channels: [String]) throws -> Int64?

    // MARK: Silences
    /// Stores a new silence (its `id` is ignored) and returns its id.
    func insertSilence(_ silence: SilenceRow) throws -> Int64
    func silence(id: Int64) throws -> SilenceRow?
    /// Silences whose end is after `date` (all with nil), by id.
    func silences(endingAfter date: Date?) throws -> [SilenceRow]
    func updateSilence(_ silence: SilenceRow) throws

    // MARK: Heartbeats
    func beat(name: String) throws -> BeatRow?
    func saveBeat(_ beat: BeatRow) throws

    // MARK: Throttles
    /// When messages went to `contact` by `medium`, oldest first.
    func throttleSends(contact: String, medium: ContactMedium) throws -> [Date]
    func insertThrottleSend(contact: String, medium: ContactMedium, at date: Date) throws
    func deleteThrottleSends(contact: String, medium: ContactMedium, notAfter date: Date) throws

    // MARK: Instances
    /// Inserts or replaces the row of `instance.owner`.
    func saveInstance(_ instance: InstanceRow) throws
    /// Every instance that reported, by owner.
    func instances() throws -> [InstanceRow]
    func deleteInstance(owner: String) throws

    // MARK: Storm control
    /// Which alerts paged `contact` when, oldest first.
    func contactPages(contact: String) throws -> [ContactPage]
    func insertContactPage(_ page: ContactPage) throws
    func deleteContactPages(contact: String, notAfter date: Date) throws
    /// Pages held for `contact`'s digest, in the order they were held.
    func heldPages(contact: String) throws -> [HeldPage]
    /// Holds a page; a page of the same alert already held for the contact stays as it is.
    func insertHeldPage(_ page: HeldPage) throws
    func deleteHeldPages(contact: String) throws
    /// Contacts with a held page whose digest is due at `now`, by name.
    func contactsWithDigestDue(at now: Date) throws -> [String]
    func earliestDigest() throws -> Date?
}

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

public enum AlertStoreError: Error, Sendable, CustomStringConvertible {
    case inconsistent(String)

    public var description: String {
        switch self {
        case .inconsistent(let why): "alert store is inconsistent: \(why)"
        }
    }
}
