import Foundation

/// Where alert state lives. The engine never keeps alerts anywhere else, so a durable store
/// makes the whole pipeline durable.
///
/// Implementations must apply a batch atomically and in order: event 2 of a batch sees what
/// event 1 did, and either the whole batch is recorded or none of it.
public protocol AlertStore: Sendable {
    /// Records events in order, deduplicating by key, and returns what each one did.
    /// - Parameter now: the time to record as first or last seen.
    func record(_ events: [AlertEvent], at now: Date) async throws -> [AlertTransition]

    /// Appends a finished delivery to its alert's timeline.
    func recordDelivery(_ record: DeliveryRecord) async throws

    func alert(id: Int64) async throws -> Alert?

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
