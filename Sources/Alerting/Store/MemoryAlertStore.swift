import Foundation

/// An ``AlertStore`` in memory: for tests, for the library example, and for `notify` runs
/// that need no state beyond the process.
public actor MemoryAlertStore: AlertStore {
    private var alertsByID: [Int64: Alert] = [:]
    private var openIDByKey: [String: Int64] = [:]
    private var deliveriesByAlert: [Int64: [DeliveryRecord]] = [:]
    private var logByAlert: [Int64: [AlertLogEntry]] = [:]
    private var nextID: Int64 = 1

    public init() {}

    public func record(_ events: [AlertEvent], at now: Date) -> [AlertTransition] {
        let transitions = events.map { event in
            let open = openIDByKey[event.dedupKey].flatMap { alertsByID[$0] }
            let (change, effect) = AlertStateMachine.apply(event, to: open, at: now)
            switch effect {
            case .open:
                let alert = AlertStateMachine.newAlert(id: nextID, from: event, at: now)
                nextID += 1
                alertsByID[alert.id] = alert
                openIDByKey[alert.dedupKey] = alert.id
                return AlertTransition(change: change, alert: alert, event: event)
            case .update(let alert):
                alertsByID[alert.id] = alert
                if !alert.status.isOpen { openIDByKey[alert.dedupKey] = nil }
                return AlertTransition(change: change, alert: alert, event: event)
            case .none:
                return AlertTransition(change: change, alert: open, event: event)
            }
        }
        for transition in transitions {
            if let id = transition.alert?.id { logByAlert[id, default: []].append(AlertLogEntry(transition, alertID: id, at: now)) }
        }
        return transitions
    }

    public func log(alertID: Int64) -> [AlertLogEntry] {
        logByAlert[alertID] ?? []
    }

    public func recordDelivery(_ record: DeliveryRecord) {
        deliveriesByAlert[record.alertID, default: []].append(record)
    }

    public func alert(id: Int64) -> Alert? { alertsByID[id] }

    public func openAlert(dedupKey: String) -> Alert? {
        openIDByKey[dedupKey].flatMap { alertsByID[$0] }
    }

    public func alerts(statuses: Set<AlertStatus>) -> [Alert] {
        alertsByID.values.filter { statuses.contains($0.status) }.sorted { $0.id > $1.id }
    }

    public func deliveries(alertID: Int64) -> [DeliveryRecord] {
        deliveriesByAlert[alertID] ?? []
    }
}
