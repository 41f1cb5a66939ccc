import Foundation

/// An alert's escalation as the store keeps it: which policy, which firing comes next, when.
public struct EscalationState: Sendable, Hashable {
    public var alertID: Int64
    public var policy: String
    /// The route that chose the policy (for resolve notices).
    public var route: String
    /// The next firing, 0-based across passes.
    public var position: Int
    public var dueAt: Date
    /// When the current run of the policy began (firing offsets count from here).
    public var startedAt: Date
    /// Acknowledged: nothing fires, unless the policy's ack timeout brings it back at `dueAt`.
    public var acknowledged: Bool
    /// Waiting because a silence matches the alert.
    public var silenced = false
    /// The event that opened the alert: each page of the policy carries it.
    public var event: AlertEvent?
    /// The first step waits out the route's `hold`: a resolve before it fires pages nobody.
    public var holdsFirstPage = false
    /// The alert was resolved before the first step fired: the first step still pages (a
    /// failover that recovered still needs a human), then the escalation ends.
    public var resolvedBeforeFirstPage = false

    /// The due time of an escalation whose steps have all fired but which is kept for its
    /// policy's ack timeout: nothing more is due until someone acknowledges.
    public static let noStepDue = Date.distantFuture

    /// Every step fired; kept only so an acknowledgement can start the ack timeout.
    public var isAwaitingAcknowledgement: Bool { dueAt == Self.noStepDue && !acknowledged }

    public init(alertID: Int64, policy: String, route: String, position: Int, dueAt: Date, startedAt: Date, acknowledged: Bool = false, event: AlertEvent? = nil) {
        self.alertID = alertID
        self.policy = policy
        self.route = route
        self.position = position
        self.dueAt = dueAt
        self.startedAt = startedAt
        self.acknowledged = acknowledged
        self.event = event
    }
}

/// What the engine decides when an escalation comes due, inside the store's transaction.
public struct EscalationFiring: Sendable, Hashable {
    /// The deliveries to put in the outbox.
    public var targets: [OutboxTarget]
    /// The next firing and when it is due, or nil when the policy is done.
    public var next: (position: Int, dueAt: Date)?
    /// For the timeline: "step 2 of db-failover (pass 1)".
    public var note: String
    /// Not now: the step waits until then (a silence), and nothing else changes.
    public var postponeUntil: Date?
    /// Whether to write `note` to the timeline (a postponement is noted once, not every minute).
    public var logNote = true
    /// A new start for the policy's clock: after a silence, escalation starts when it ends.
    public var restartedAt: Date?
    /// With no next step: keep the escalation anyway, because the policy has an ack timeout
    /// that an acknowledgement after the last step must still start.
    public var keepForAckTimeout = false
    /// How late the step fired after it was due (nil when it did not fire): counted by the
    /// caller once its transaction has committed, never inside it.
    public var lag: TimeInterval?

    public init(targets: [OutboxTarget], next: (position: Int, dueAt: Date)?, note: String) {
        self.targets = targets
        self.next = next
        self.note = note
    }

    public static func postpone(until date: Date, note: String, log: Bool) -> EscalationFiring {
        var firing = EscalationFiring(targets: [], next: nil, note: note)
        firing.postponeUntil = date
        firing.logNote = log
        return firing
    }

    public static func == (lhs: EscalationFiring, rhs: EscalationFiring) -> Bool {
        lhs.targets == rhs.targets && lhs.next?.position == rhs.next?.position && lhs.next?.dueAt == rhs.next?.dueAt && lhs.note == rhs.note
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(targets)
        hasher.combine(note)
    }
}

/// One channel (and contact) to notify.
public struct OutboxTarget: Sendable, Hashable {
    public var channel: String
    public var recipient: String?

    public init(channel: String, recipient: String? = nil) {
        self.channel = channel
        self.recipient = recipient
    }
}

/// A delivery decided and persisted, not yet made (or made by a process that died before it
/// recorded the outcome).
public struct OutboxItem: Sendable, Hashable {
    public var id: Int64
    public var alertID: Int64
    /// The route whose escalation created it; nil for resolve notices.
    public var route: String?
    public var target: OutboxTarget
    /// The firing that created it; nil for resolve notices.
    public var position: Int?
    /// What the notification says: a trigger (page) or a resolve.
    public var action: EventAction
    public var createdAt: Date
    /// For a storm-control digest: the other held alerts it carries (``alertID`` is the newest).
    public var digestOf: [Int64]
    /// The event that caused it: the opening trigger for a page (its details and links), the
    /// resolve for a resolve notice (who resolved it, and why). Nil for a digest.
    public var event: AlertEvent?
    /// What of the stored item could not be read back (a damaged state file): said in the log
    /// when it is delivered, never dropped silently.
    public var problem: String?

    public init(id: Int64, alertID: Int64, route: String? = nil, target: OutboxTarget, position: Int?, action: EventAction, createdAt: Date,
                digestOf: [Int64] = [], event: AlertEvent? = nil) {
        self.id = id
        self.alertID = alertID
        self.route = route
        self.target = target
        self.position = position
        self.action = action
        self.createdAt = createdAt
        self.digestOf = digestOf
        self.event = event
    }
}

/// What to do, inside the store's transaction, about a transition that was just recorded.
public struct EscalationPlan: Sendable, Hashable {
    public struct Start: Sendable, Hashable {
        public var policy: String
        public var route: String
        public var dueAt: Date
        /// The route's flap hold is in `dueAt`: a resolve before then pages nobody.
        public var holdsFirstPage: Bool

        public init(policy: String, route: String, dueAt: Date, holdsFirstPage: Bool = false) {
            self.policy = policy
            self.route = route
            self.dueAt = dueAt
            self.holdsFirstPage = holdsFirstPage
        }
    }

    /// For an alert that opened: the policies to run (one per matching route) and when each
    /// first fires.
    public var starts: [Start]
    /// For an acknowledged alert: by route, when it triggers again (policies with an ack timeout).
    public var retriggerAt: [String: Date]
    /// For a resolved alert: tell the places and people that were paged.
    public var notifyResolve: Bool
    /// Channels that never carry a resolve notice (calls).
    public var noResolveNoticeVia: Set<String> = []

    public init(starts: [Start] = [], retriggerAt: [String: Date] = [:], notifyResolve: Bool = false) {
        self.starts = starts
        self.retriggerAt = retriggerAt
        self.notifyResolve = notifyResolve
    }

    public static let nothing = EscalationPlan()
}

/// Who holds a claim on outbox items: this host and process. A claim by a process that is gone
/// (same host, pid not running) is taken back at once; any other expires with its lease.
public struct LeaseOwner: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var pid: Int32
    public var nonce: String

    public init(host: String = ProcessInfo.processInfo.hostName, pid: Int32 = ProcessInfo.processInfo.processIdentifier, nonce: String = String(UUID().uuidString.prefix(8))) {
        self.host = host
        self.pid = pid
        self.nonce = nonce
    }

    public init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 3, let pid = Int32(parts[1]) else { return nil }
        self.init(host: String(parts[0]), pid: pid, nonce: String(parts[2]))
    }

    public var description: String { "\(host)/\(pid)/\(nonce)" }

    /// False only when the owner certainly is gone: same host, and no process with its pid.
    public func isAlive(onHost currentHost: String = ProcessInfo.processInfo.hostName) -> Bool {
        guard host == currentHost else { return true }
        return kill(pid, 0) == 0 || errno != ESRCH
    }
}
