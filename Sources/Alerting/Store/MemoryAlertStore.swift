import Foundation

/// An ``AlertStore`` in memory: plain dictionaries, for tests, the library example and `notify`
/// runs that need no state beyond the process (`--state :memory:`).
///
/// Transactions run one at a time on the actor. Each write keeps an undo entry, so a body that
/// throws leaves the tables as they were.
public actor MemoryAlertStore: AlertStore {
    private let tables = MemoryTables()

    public init() {}

    public func write<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) throws -> T {
        let transaction = MemoryTransaction(tables)
        do {
            return try body(transaction)
        } catch {
            transaction.rollback()
            throw error
        }
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) throws -> T {
        try write(body)
    }
}

/// The rows, by what they are looked up by.
final class MemoryTables {
    var alerts: [Int64: Alert] = [:]
    var openAlertByKey: [String: Int64] = [:]
    var log: [Int64: [AlertLogEntry]] = [:]
    /// By alert, then route.
    var escalations: [Int64: [String: EscalationState]] = [:]
    var outbox: [Int64: OutboxRow] = [:]
    /// Outbox ids by alert, in the order they were added.
    var outboxByAlert: [Int64: [Int64]] = [:]
    /// Alert ids by dedup key, open or not, in the order they were added.
    var alertsByKey: [String: [Int64]] = [:]
    /// The claimed rows' holders and lease ends, by outbox id.
    var claims: [Int64: (owner: String, until: Date)] = [:]
    /// Outbox ids in the order they were added (ids only grow); `outboxHead` skips the finished
    /// ones at the front, so claiming does not scan the whole outbox. An index, not state: ids
    /// whose row is gone or done are skipped.
    var outboxOrder: [Int64] = []
    var outboxHead = 0
    var deliveries: [Int64: [DeliveryRecord]] = [:]
    /// By recipient and channel: the alert of the latest delivered message, and its sequence.
    var lastDelivered: [String: [String: LastDelivery]] = [:]
    var deliverySequence = 0
    var silences: [Int64: SilenceRow] = [:]
    var beats: [String: BeatRow] = [:]
    var changes: [Int64: ChangeEvent] = [:]
    var overrides: [Int64: ScheduleOverride] = [:]
    var contactPages: [String: [ContactPage]] = [:]
    var heldPages: [String: [HeldPage]] = [:]
    var instances: [String: InstanceRow] = [:]
    var throttleSends: [String: [Date]] = [:]

    static func throttleKey(_ contact: String, _ medium: ContactMedium) -> String { "\(medium.rawValue)/\(contact)" }
    var nextAlertID: Int64 = 1
    var nextOutboxID: Int64 = 1
    var nextSilenceID: Int64 = 1
    var nextChangeID: Int64 = 1
    var nextOverrideID: Int64 = 1

    struct LastDelivery {
        var alertID: Int64
        var sequence: Int
    }
}

final class MemoryTransaction: StoreTransaction {
    private let tables: MemoryTables
    private var undo: [Undo] = []

    /// One write to take back. The two writes every repeat of an alert makes (its count, its
    /// timeline) are plain values; the rest are closures.
    private enum Undo {
        case alert(Int64, Alert?)
        case logAppend(Int64)
        case other((MemoryTables) -> Void)
    }

    init(_ tables: MemoryTables) {
        self.tables = tables
    }

    func rollback() {
        for step in undo.reversed() {
            switch step {
            case .alert(let id, let old): tables.alerts[id] = old
            case .logAppend(let alertID): tables.log[alertID]?.removeLast()
            case .other(let undoIt): undoIt(tables)
            }
        }
        undo.removeAll()
    }

    /// Sets one entry of a table, remembering the old one.
    private func set<Key: Hashable, Value>(_ table: ReferenceWritableKeyPath<MemoryTables, [Key: Value]>, _ key: Key, _ value: Value?) {
        let old = tables[keyPath: table][key]
        undo.append(.other { $0[keyPath: table][key] = old })
        tables[keyPath: table][key] = value
    }

    /// Appends to a list entry of a table; undone by removing it again.
    private func append<Key: Hashable, Element>(_ table: ReferenceWritableKeyPath<MemoryTables, [Key: [Element]]>, _ key: Key, _ element: Element) {
        tables[keyPath: table][key, default: []].append(element)
        undo.append(.other { $0[keyPath: table][key]?.removeLast() })
    }

    private func next(_ counter: ReferenceWritableKeyPath<MemoryTables, Int64>) -> Int64 {
        let id = tables[keyPath: counter]
        tables[keyPath: counter] = id + 1
        undo.append(.other { $0[keyPath: counter] = id })
        return id
    }

    // MARK: Alerts

    // Transactions run one at a time on the actor: a lock is nothing here.
    func openAlert(dedupKey: String, forUpdate: Bool) -> Alert? {
        tables.openAlertByKey[dedupKey].flatMap { tables.alerts[$0] }
    }

    func openAlerts(dedupKeys: [String], forUpdate: Bool) -> [Alert] {
        dedupKeys.compactMap { openAlert(dedupKey: $0, forUpdate: forUpdate) }
    }

    func alert(id: Int64, forUpdate: Bool) -> Alert? { tables.alerts[id] }

    func alertStatus(id: Int64) -> AlertStatus? { tables.alerts[id]?.status }

    func alerts(statuses: Set<AlertStatus>) -> [Alert] {
        tables.alerts.values.filter { statuses.contains($0.status) }.sorted { $0.id > $1.id }
    }

    func alerts(ids: [Int64], forUpdate: Bool) -> [Alert] { ids.compactMap { tables.alerts[$0] } }

    func alertHeadings(statuses: Set<AlertStatus>) -> [AlertHeading] { alerts(statuses: statuses).map(AlertHeading.init) }

    func alertCount(statuses: Set<AlertStatus>) -> Int { tables.alerts.values.count { statuses.contains($0.status) } }

    func alertIDs(statuses: Set<AlertStatus>, offset: Int, limit: Int) -> [Int64] {
        Array(alerts(statuses: statuses).dropFirst(offset).prefix(limit).map(\.id))
    }

    func insertAlert(_ alert: Alert) throws -> Int64 {
        if alert.status.isOpen, tables.openAlertByKey[alert.dedupKey] != nil {
            throw AlertStoreError.inconsistent("an open alert with key \(alert.dedupKey) exists already")
        }
        var stored = alert
        stored.id = next(\.nextAlertID)
        set(\.alerts, stored.id, stored)
        append(\.alertsByKey, stored.dedupKey, stored.id)
        if stored.status.isOpen { set(\.openAlertByKey, stored.dedupKey, stored.id) }
        return stored.id
    }

    func updateAlert(_ alert: Alert) {
        guard var stored = tables.alerts[alert.id] else { return }
        stored.status = alert.status
        stored.lastSeen = alert.lastSeen
        stored.count = alert.count
        undo.append(.alert(stored.id, tables.alerts[stored.id]))
        tables.alerts[stored.id] = stored
        if !stored.status.isOpen, tables.openAlertByKey[stored.dedupKey] == stored.id { set(\.openAlertByKey, stored.dedupKey, nil) }
        if stored.status.isOpen, tables.openAlertByKey[stored.dedupKey] == nil { set(\.openAlertByKey, stored.dedupKey, stored.id) }
    }

    // MARK: Timeline

    func appendLog(_ entry: AlertLogEntry) {
        tables.log[entry.alertID, default: []].append(entry)
        undo.append(.logAppend(entry.alertID))
    }

    func log(alertID: Int64) -> [AlertLogEntry] { tables.log[alertID] ?? [] }

    func logEntries(kind: AlertKind, since: Date) -> [(alert: Alert, entry: AlertLogEntry)] {
        var found: [(alert: Alert, entry: AlertLogEntry)] = []
        for (id, entries) in tables.log {
            guard let alert = tables.alerts[id], alert.kind == kind else { continue }
            for entry in entries where entry.at >= since { found.append((alert, entry)) }
        }
        return found.sorted { ($0.entry.at, $0.alert.id) < ($1.entry.at, $1.alert.id) }
    }

    // MARK: Escalations

    func escalations(alertID: Int64, forUpdate: Bool) -> [EscalationState] {
        (tables.escalations[alertID] ?? [:]).values.sorted { $0.route < $1.route }
    }

    func dueEscalations(at now: Date, limit: Int) -> [EscalationState] {
        // Order the keys, not the states: a storm leaves thousands due at once.
        var due: [(at: Date, alertID: Int64, route: String)] = []
        for (alertID, routes) in tables.escalations {
            for (route, escalation) in routes where escalation.dueAt <= now { due.append((escalation.dueAt, alertID, route)) }
        }
        due.sort { ($0.at, $0.alertID, $0.route) < ($1.at, $1.alertID, $1.route) }
        return due.prefix(limit).compactMap { tables.escalations[$0.alertID]?[$0.route] }
    }

    func saveEscalation(_ escalation: EscalationState) {
        var routes = tables.escalations[escalation.alertID] ?? [:]
        routes[escalation.route] = escalation
        set(\.escalations, escalation.alertID, routes)
    }

    func deleteEscalation(alertID: Int64, route: String) {
        guard var routes = tables.escalations[alertID], routes[route] != nil else { return }
        routes[route] = nil
        set(\.escalations, alertID, routes.isEmpty ? nil : routes)
    }

    func earliestEscalationDue() -> Date? { tables.escalations.values.flatMap { $0.values.map(\.dueAt) }.min() }

    // MARK: Outbox

    func insertOutbox(_ item: OutboxItem) -> Int64 {
        var stored = item
        stored.id = next(\.nextOutboxID)
        set(\.outbox, stored.id, OutboxRow(item: stored, state: .pending(notBefore: nil)))
        append(\.outboxByAlert, stored.alertID, stored.id)
        // Undone like the row: a transaction run again gives the same id, which must not be
        // listed twice (it would be claimed, and delivered, twice).
        tables.outboxOrder.append(stored.id)
        undo.append(.other { $0.outboxOrder.removeLast() })
        return stored.id
    }

    func outboxRow(id: Int64, forUpdate: Bool) -> OutboxRow? { tables.outbox[id] }

    func outboxRows(ids: [Int64], forUpdate: Bool) -> [OutboxRow] { ids.compactMap { tables.outbox[$0] } }

    func outbox(alertID: Int64, forUpdate: Bool) -> [OutboxRow] {
        (tables.outboxByAlert[alertID] ?? []).compactMap { tables.outbox[$0] }
    }

    private func isUnfinished(_ id: Int64) -> Bool {
        guard let row = tables.outbox[id] else { return false }
        if case .done = row.state { return false }
        return true
    }

    func claimCandidates(at now: Date, ownersGone: [String], excludingChannels: [String], limit: Int) -> [OutboxRow] {
        // Skipping the finished rows at the front is undone with the transaction: rows it
        // finished are unfinished again after a rollback, and must be found.
        let head = tables.outboxHead
        while tables.outboxHead < tables.outboxOrder.count, !isUnfinished(tables.outboxOrder[tables.outboxHead]) { tables.outboxHead += 1 }
        if tables.outboxHead > 4096 {
            let skipped = Array(tables.outboxOrder[..<tables.outboxHead])
            tables.outboxOrder.removeFirst(tables.outboxHead)
            tables.outboxHead = 0
            undo.append(.other { $0.outboxOrder.insert(contentsOf: skipped, at: 0); $0.outboxHead = head })
        } else if tables.outboxHead != head {
            undo.append(.other { $0.outboxHead = head })
        }
        let excluded = Set(excludingChannels)
        var found: [OutboxRow] = []
        var index = tables.outboxHead
        while found.count < limit, index < tables.outboxOrder.count {
            defer { index += 1 }
            guard let row = tables.outbox[tables.outboxOrder[index]] else { continue }
            let claimable: Bool = switch row.state {
            case .pending(let notBefore): notBefore.map({ $0 <= now }) ?? true
            case .claimed(let owner, let until): until < now || ownersGone.contains(owner)
            case .done: false
            }
            guard claimable, excluded.isEmpty || !excluded.contains(row.item.target.channel) else { continue }
            found.append(row)
        }
        return found
    }

    func openOutboxPlaces(dedupKeys: [String]) -> [OutboxPlace] {
        dedupKeys.flatMap { key in
            (tables.alertsByKey[key] ?? []).flatMap { outbox(alertID: $0, forUpdate: false) }.filter { row in
                if case .done = row.state { return false }
                return true
            }.map { OutboxPlace(dedupKey: key, id: $0.item.id, alertID: $0.item.alertID, action: $0.item.action, target: $0.item.target) }
        }.sorted { $0.id < $1.id }
    }

    func leaseOwners(at now: Date) -> [String] {
        Set(tables.claims.values.filter { $0.until >= now }.map(\.owner)).sorted()
    }

    func setOutboxState(_ state: OutboxRow.State, ids: [Int64]) {
        for id in ids { if var row = tables.outbox[id] { row.state = state; saveOutbox(row) } }
    }

    func saveOutbox(_ row: OutboxRow) {
        set(\.outbox, row.item.id, row)
        if case .claimed(let owner, let until) = row.state {
            set(\.claims, row.item.id, (owner, until))
        } else if tables.claims[row.item.id] != nil {
            set(\.claims, row.item.id, nil)
        }
    }

    func deleteOutbox(id: Int64) {
        set(\.outbox, id, nil)
        if tables.claims[id] != nil { set(\.claims, id, nil) }
    }

    func earliestOutboxTime() -> Date? {
        var earliest: Date?
        for id in tables.outboxOrder[tables.outboxHead...] {
            let time: Date
            switch tables.outbox[id]?.state {
            case .pending(let notBefore)?: time = notBefore ?? tables.outbox[id]?.item.createdAt ?? .distantPast
            case .claimed(_, let until)?: time = until
            case .done?, nil: continue
            }
            earliest = min(earliest ?? time, time)
        }
        return earliest
    }

    func outboxCounts() -> OutboxCounts {
        var counts = OutboxCounts()
        for id in tables.outboxOrder[tables.outboxHead...] {
            switch tables.outbox[id]?.state {
            case .pending?: counts.pending += 1
            case .claimed(let owner, _)?: counts.claimed[owner, default: 0] += 1
            case .done?, nil: continue
            }
        }
        return counts
    }

    func openOutbox(recipient: String) -> [OutboxRow] {
        tables.outboxOrder[tables.outboxHead...].filter(isUnfinished).compactMap { tables.outbox[$0] }.filter { $0.item.target.recipient == recipient }
    }

    // MARK: Throttles

    func lockLedger(_ ledger: Ledger) {}

    func throttleSends(contact: String, medium: ContactMedium) -> [Date] {
        tables.throttleSends[MemoryTables.throttleKey(contact, medium)] ?? []
    }

    func insertThrottleSend(contact: String, medium: ContactMedium, at date: Date) {
        append(\.throttleSends, MemoryTables.throttleKey(contact, medium), date)
    }

    func deleteThrottleSends(contact: String, medium: ContactMedium, notAfter date: Date) {
        let key = MemoryTables.throttleKey(contact, medium)
        guard let sends = tables.throttleSends[key], sends.contains(where: { $0 <= date }) else { return }
        set(\.throttleSends, key, sends.filter { $0 > date })
    }

    // MARK: Deliveries

    func insertDelivery(_ record: DeliveryRecord) {
        append(\.deliveries, record.alertID, record)
        guard record.report.outcome.isDelivered, let recipient = record.report.recipient else { return }
        let sequence = tables.deliverySequence + 1
        tables.deliverySequence = sequence
        var byChannel = tables.lastDelivered[recipient] ?? [:]
        byChannel[record.report.channel] = MemoryTables.LastDelivery(alertID: record.alertID, sequence: sequence)
        set(\.lastDelivered, recipient, byChannel)
    }

    func deliveries(alertID: Int64) -> [DeliveryRecord] { tables.deliveries[alertID] ?? [] }

    func lastDeliveredAlert(to recipient: String, channels: [String]) -> Int64? {
        channels.compactMap { tables.lastDelivered[recipient]?[$0] }.max { $0.sequence < $1.sequence }?.alertID
    }

    // MARK: Silences

    func insertSilence(_ silence: SilenceRow) -> Int64 {
        var stored = silence
        stored.id = next(\.nextSilenceID)
        set(\.silences, stored.id, stored)
        return stored.id
    }

    func silence(id: Int64, forUpdate: Bool) -> SilenceRow? { tables.silences[id] }

    func silences(endingAfter date: Date?) -> [SilenceRow] {
        tables.silences.values.filter { row in date.map { row.endsAt > $0 } ?? true }.sorted { $0.id < $1.id }
    }

    func updateSilence(_ silence: SilenceRow) { set(\.silences, silence.id, silence) }

    // MARK: Changes

    func insertChange(_ change: ChangeEvent) -> Int64 {
        var stored = change
        stored.id = next(\.nextChangeID)
        set(\.changes, stored.id, stored)
        return stored.id
    }

    func changes(from: Date, to: Date) -> [ChangeEvent] {
        tables.changes.values.filter { $0.at >= from && $0.at <= to }.sorted { ($0.at, $0.id) < ($1.at, $1.id) }
    }

    // MARK: Overrides

    func insertOverride(_ override: ScheduleOverride) -> Int64 {
        var stored = override
        stored.id = next(\.nextOverrideID)
        set(\.overrides, stored.id, stored)
        return stored.id
    }

    func overrides(endingAfter date: Date?) -> [ScheduleOverride] {
        tables.overrides.values.filter { row in date.map { row.until > $0 } ?? true }.sorted { $0.id < $1.id }
    }

    func deleteOverride(id: Int64) -> Bool {
        guard tables.overrides[id] != nil else { return false }
        set(\.overrides, id, nil)
        return true
    }

    // MARK: Heartbeats

    func beat(name: String, forUpdate: Bool) -> BeatRow? { tables.beats[name] }

    func saveBeat(_ beat: BeatRow) { set(\.beats, beat.name, beat) }

    // MARK: Instances

    func saveInstance(_ instance: InstanceRow) { set(\.instances, instance.owner, instance) }

    func instances() -> [InstanceRow] { tables.instances.values.sorted { $0.owner < $1.owner } }

    func deleteInstance(owner: String) { set(\.instances, owner, nil) }

    // MARK: Storm control

    func contactPages(contact: String) -> [ContactPage] { tables.contactPages[contact] ?? [] }

    func insertContactPage(_ page: ContactPage) { append(\.contactPages, page.contact, page) }

    func deleteContactPages(contact: String, notAfter date: Date) {
        guard let pages = tables.contactPages[contact], pages.contains(where: { $0.at <= date }) else { return }
        set(\.contactPages, contact, pages.filter { $0.at > date })
    }

    func heldPages(contact: String) -> [HeldPage] { tables.heldPages[contact] ?? [] }

    func insertHeldPage(_ page: HeldPage) {
        guard !(tables.heldPages[page.contact] ?? []).contains(where: { $0.alertID == page.alertID }) else { return }
        append(\.heldPages, page.contact, page)
    }

    func deleteHeldPages(contact: String) { set(\.heldPages, contact, nil) }

    func contactsWithDigestDue(at now: Date) -> [String] {
        tables.heldPages.filter { $0.value.contains { $0.digestAt <= now } }.keys.sorted()
    }

    func earliestDigest() -> Date? { tables.heldPages.values.flatMap { $0.map(\.digestAt) }.min() }
}
