import Foundation

/// Where alert state lives. The engine never keeps alerts anywhere else, so a durable store
/// makes the whole pipeline durable.
///
/// Implementations must apply a batch atomically and in order: event 2 of a batch sees what
/// event 1 did, and either the whole batch is recorded or none of it.
public protocol AlertStore: Sendable {
    /// Records events in order, deduplicating by key, and returns what each one did. For each
    /// transition, `plan` says what happens to its escalation, and that is written in the same
    /// transaction: an alert is never open without its escalation, and an acknowledged or
    /// resolved one never keeps paging.
    /// - Parameter now: the time to record as first or last seen.
    func record(_ events: [AlertEvent], at now: Date, plan: @Sendable (AlertTransition) -> EscalationPlan) async throws -> [AlertTransition]

    /// Fires escalations due at `now` (at most `limit`), in one transaction: `fire` decides
    /// the deliveries and the next step; the store puts the deliveries in the outbox and
    /// advances the escalation. An acknowledged alert whose ack timeout has passed triggers
    /// again first. Returns how many fired.
    func fireDueEscalations(at now: Date, limit: Int, fire: @Sendable (EscalationState, Alert) -> EscalationFiring) async throws -> Int

    /// Claims outbox items no one holds: pending ones, and claimed ones whose lease ran out or
    /// whose owner is gone (crashed). The claim lasts `leaseFor`.
    func claimOutbox(owner: LeaseOwner, at now: Date, leaseFor: Duration, limit: Int) async throws -> [OutboxItem]

    /// Records a claimed item's outcome (the delivery, every attempt), in one transaction. With
    /// `retryAt`, the item goes back to the outbox to be tried again then (a gateway that is
    /// down now); otherwise it is finished. When every item of its firing has now failed
    /// permanently, the next step becomes due at once (fallback) and this returns true.
    func completeOutbox(_ item: OutboxItem, report: DeliveryReport, retryAt: Date?, at now: Date) async throws -> Bool

    /// Storm control: whether a page of `alertID` to `contact` goes now, or is held for the
    /// contact's digest. Sends when the alert already paged them within the window, or fewer
    /// than `storm.maxNewAlerts` alerts did; holds when a digest is already gathering for
    /// them, or the window is full. One transaction, so concurrent deliveries count right.
    func admitPage(contact: String, alertID: Int64, channel: String, at now: Date, storm: StormControl) async throws -> StormAdmission

    /// Turns each contact's held pages whose digest is due into one outbox item: the newest
    /// alert still triggered, carrying the others (acknowledged or resolved ones are dropped).
    /// Returns how many digests were queued.
    func flushStormDigests(at now: Date, storm: StormControl) async throws -> Int

    /// When there is next something to do: the earliest escalation due time or outbox lease
    /// expiry or storm digest; `now`-ish when items are pending; nil when nothing is scheduled.
    func nextWakeUp() async throws -> Date?

    /// The escalation of one alert, if it has one running.
    func escalation(alertID: Int64) async throws -> EscalationState?

    /// Stores a silence and returns it with its id.
    func addSilence(_ silence: Silence) async throws -> Silence

    /// Silences not yet over at `date` (active or to come), oldest first; all of them with nil.
    func silences(notEndedAt date: Date?) async throws -> [Silence]

    /// Ends a silence now. False when there is no such silence or it was already over.
    func expireSilence(id: Int64, at now: Date) async throws -> Bool

    /// Trigger events (opening or repeating) of alerts of `kind` whose `field` (environment or
    /// source) is `value`, since `date`: how many, and the latest one's time.
    func triggers(kind: AlertKind, field: MatchField, value: String?, since date: Date) async throws -> (count: Int, latest: Date?)

    /// Records a heartbeat's beat.
    func recordBeat(_ name: String, at date: Date) async throws

    /// For each name: its last beat, or nil with the time notify first looked for it (recorded
    /// now for names it had never seen), so a heartbeat that never beats is missed too.
    func beats(_ names: [String], at now: Date) async throws -> [String: (lastBeat: Date?, since: Date)]

    /// Appends a finished delivery to its alert's timeline.
    func recordDelivery(_ record: DeliveryRecord) async throws

    func alert(id: Int64) async throws -> Alert?

    /// The alert of the latest delivery made to `recipient` through one of `channels`: what a
    /// bare "ACK" texted back by that person means.
    func lastAlertDelivered(to recipient: String, channels: [String]) async throws -> Int64?

    /// The open (triggered or acknowledged) alert with this key, if any.
    func openAlert(dedupKey: String) async throws -> Alert?

    /// Alerts whose status is one of `statuses`, newest first.
    func alerts(statuses: Set<AlertStatus>) async throws -> [Alert]

    /// The deliveries recorded for one alert, oldest first.
    func deliveries(alertID: Int64) async throws -> [DeliveryRecord]

    /// The events recorded for one alert (opened, repeats, acks, resolve), oldest first.
    func log(alertID: Int64) async throws -> [AlertLogEntry]
}

extension AlertStore {
    /// Records events with no escalation (library users who deliver themselves).
    public func record(_ events: [AlertEvent], at now: Date) async throws -> [AlertTransition] {
        try await record(events, at: now, plan: { _ in .nothing })
    }

    /// Records one event.
    public func record(_ event: AlertEvent, at now: Date) async throws -> AlertTransition {
        let transitions = try await record([event], at: now)
        guard let transition = transitions.first else {
            throw AlertStoreError.inconsistent("store returned no transition for one event")
        }
        return transition
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
