import Foundation

/// What people and library users ask of a store, written once over the seam.
extension AlertStore {
    /// Records events with no escalation (library users who deliver themselves).
    public func record(_ events: [AlertEvent], at now: Date) async throws -> [AlertTransition] {
        try await write { transaction in try AlertRecorder.record(events, at: now, in: transaction, plan: { _ in .nothing }) }
    }

    /// Records one event.
    public func record(_ event: AlertEvent, at now: Date) async throws -> AlertTransition {
        guard let transition = try await record([event], at: now).first else {
            throw AlertStoreError.inconsistent("store returned no transition for one event")
        }
        return transition
    }

    public func alert(id: Int64) async throws -> Alert? {
        try await read { try $0.alert(id: id) }
    }

    /// The open (triggered or acknowledged) alert with this key, if any.
    public func openAlert(dedupKey: String) async throws -> Alert? {
        try await read { try $0.openAlert(dedupKey: dedupKey) }
    }

    /// Alerts whose status is one of `statuses`, newest first.
    public func alerts(statuses: Set<AlertStatus>) async throws -> [Alert] {
        try await read { try $0.alerts(statuses: statuses) }
    }

    /// The deliveries recorded for one alert, oldest first.
    public func deliveries(alertID: Int64) async throws -> [DeliveryRecord] {
        try await read { try $0.deliveries(alertID: alertID) }
    }

    /// The events recorded for one alert (opened, repeats, acks, resolve), oldest first.
    public func log(alertID: Int64) async throws -> [AlertLogEntry] {
        try await read { try $0.log(alertID: alertID) }
    }

    /// The escalation of one alert, if it has one running (the first route's, by name).
    public func escalation(alertID: Int64) async throws -> EscalationState? {
        try await read { try $0.escalations(alertID: alertID).first }
    }

    /// The alert of the latest delivery made to `recipient` through one of `channels`: what a
    /// bare "ACK" texted back by that person means.
    public func lastAlertDelivered(to recipient: String, channels: [String]) async throws -> Int64? {
        try await read { try $0.lastDeliveredAlert(to: recipient, channels: channels) }
    }

    /// Appends a finished delivery to its alert's timeline.
    public func recordDelivery(_ record: DeliveryRecord) async throws {
        try await write { try $0.insertDelivery(record) }
    }

    /// When something is next due for one alert: a step of its escalation, or a page waiting
    /// to be retried; nil when nothing is (resolved, or waiting only for an acknowledgement).
    public func nextDue(alertID: Int64) async throws -> Date? {
        try await read { try AlertStanding.nextDue(alertID: alertID, in: $0) }
    }

    /// When there is next something to do: the earliest escalation due time, outbox ready time
    /// or lease end, or storm digest; nil when nothing is scheduled.
    public func nextWakeUp() async throws -> Date? {
        try await read { transaction in
            let due = try transaction.earliestEscalationDue().flatMap { $0 == EscalationState.noStepDue ? nil : $0 }
            return try [due, transaction.earliestOutboxTime(), transaction.earliestDigest()].compactMap { $0 }.min()
        }
    }
}
