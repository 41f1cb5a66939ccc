import Foundation

/// Each alert's escalation, one per route that matched it.
public protocol EscalationRows: AnyObject {
    /// The escalations of one alert (one per route), by route name; `forUpdate`: locked until
    /// the transaction ends.
    func escalations(alertID: Int64, forUpdate: Bool) throws -> [EscalationState]
    /// Escalations with `dueAt <= now`, earliest first, at most `limit`. A store shared by
    /// several processes locks the rows it returns until the transaction ends and skips rows
    /// another transaction holds (two instances never fire the same step).
    func dueEscalations(at now: Date, limit: Int) throws -> [EscalationState]
    /// Inserts or replaces the escalation of `(alertID, route)`.
    func saveEscalation(_ escalation: EscalationState) throws
    func deleteEscalation(alertID: Int64, route: String) throws
    func earliestEscalationDue() throws -> Date?
}

extension EscalationRows {
    /// The alert's escalations, read without a lock.
    public func escalations(alertID: Int64) throws -> [EscalationState] { try escalations(alertID: alertID, forUpdate: false) }
}
