import Foundation

/// Alerts, with their timeline and their deliveries (rows that belong to one alert).
public protocol AlertRows: AnyObject {
    /// The alert with this key that is not resolved, if any; `forUpdate`: locked until the
    /// transaction ends (the caller will change it).
    func openAlert(dedupKey: String, forUpdate: Bool) throws -> Alert?
    /// The open alerts with these keys, in any order, read in one statement where the store
    /// can (a batch of events reads every alert it may change at once); `forUpdate` as above.
    func openAlerts(dedupKeys: [String], forUpdate: Bool) throws -> [Alert]
    func alert(id: Int64, forUpdate: Bool) throws -> Alert?
    /// One alert's status alone (cheaper than the whole row).
    func alertStatus(id: Int64) throws -> AlertStatus?
    /// Alerts whose status is one of `statuses`, newest first.
    func alerts(statuses: Set<AlertStatus>) throws -> [Alert]
    /// How many alerts have one of `statuses`.
    func alertCount(statuses: Set<AlertStatus>) throws -> Int
    /// The ids of the alerts whose status is one of `statuses`, newest first, `limit` of them
    /// after skipping `offset`: one page of a list, without reading the others.
    func alertIDs(statuses: Set<AlertStatus>, offset: Int, limit: Int) throws -> [Int64]
    /// The headings of the alerts whose status is one of `statuses`, newest first.
    func alertHeadings(statuses: Set<AlertStatus>) throws -> [AlertHeading]
    /// The alerts with these ids, in any order (a claimed round's alerts, in one statement);
    /// `forUpdate` as for ``openAlert(dedupKey:forUpdate:)``.
    func alerts(ids: [Int64], forUpdate: Bool) throws -> [Alert]
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

    // MARK: Deliveries
    func insertDelivery(_ record: DeliveryRecord) throws
    /// One alert's deliveries, oldest first.
    func deliveries(alertID: Int64) throws -> [DeliveryRecord]
    /// The alert of the latest delivered message to `recipient` through one of `channels`.
    func lastDeliveredAlert(to recipient: String, channels: [String]) throws -> Int64?
}

extension AlertRows {
    /// The open alert with this key, read without a lock.
    public func openAlert(dedupKey: String) throws -> Alert? { try openAlert(dedupKey: dedupKey, forUpdate: false) }
    /// The alert, read without a lock.
    public func alert(id: Int64) throws -> Alert? { try alert(id: id, forUpdate: false) }
    /// The alerts, read without a lock.
    public func alerts(ids: [Int64]) throws -> [Alert] { try alerts(ids: ids, forUpdate: false) }
}
