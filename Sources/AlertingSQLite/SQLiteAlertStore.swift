import Alerting
import Foundation
import GRDB

/// The state file could not be opened or brought up to date.
public struct StateFileError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public var description: String { reason }
}

/// An ``AlertStore`` in an SQLite file (WAL mode): the default for `notify`. Plain SQL, one
/// statement per row verb; the rules live above it.
///
/// Several notify processes may use one file at once (a `watch` daemon, a cron `tick`, a
/// script's `send`): GRDB runs every write as an immediate transaction (the write lock is taken
/// first, so read-then-write cannot deadlock between processes), they take turns, and a partial
/// unique index keeps at most one open alert per dedup key whatever they do.
public final class SQLiteAlertStore: AlertStore {
    public let path: String
    let pool: DatabasePool

    /// Opens (creating if needed) the file at `path` and brings its schema up to date.
    /// - Throws: ``StateFileError`` with a short reason.
    public init(path: String) throws {
        self.path = path
        do {
            pool = try Self.openPool(path: path)
        } catch let error as DatabaseError {
            throw StateFileError(path: path, reason: Self.reason(error, path: path))
        } catch let error as StateFileError {
            throw error
        } catch {
            throw StateFileError(path: path, reason: StateLocation.oneLine(error))
        }
    }

    /// What SQLite's refusal means for a person, in words (not `SQLite 14`).
    static func reason(_ error: DatabaseError, path: String) -> String {
        let said = error.message.map { " (SQLite: \($0))" } ?? ""
        switch error.resultCode {
        case .SQLITE_CANTOPEN:
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue { return "is a directory, not a state file" }
            return "cannot be opened: permission denied, or its directory is not writable" + said
        case .SQLITE_NOTADB: return "is not a notify state file (not an SQLite database)"
        case .SQLITE_CORRUPT: return "is damaged" + said + "; move it aside and notify starts a new one"
        case .SQLITE_FULL: return "cannot be written: no space left on device"
        case .SQLITE_READONLY: return "cannot be written: read-only" + said
        case .SQLITE_PERM, .SQLITE_AUTH: return "permission denied"
        case .SQLITE_BUSY, .SQLITE_LOCKED: return "is locked by another process" + said
        case .SQLITE_IOERR: return "cannot be read or written: input/output error" + said
        default: return error.message.map { "SQLite: \($0)" } ?? "SQLite error \(error.resultCode.rawValue)"
        }
    }

    private static func openPool(path: String) throws -> DatabasePool {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw StateFileError(path: path, reason: "cannot create the directory \(directory.path): \(StateLocation.oneLine(error))")
        }
        // Processes that open a new file at the same moment would each switch it to WAL and
        // each run the migrations: they take turns on a lock file instead.
        let lock = open(path + ".lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard lock >= 0 else { throw StateFileError(path: path, reason: "cannot create \(path).lock: \(String(cString: strerror(errno)).lowercased())") }
        defer { close(lock) }
        guard flock(lock, LOCK_EX) == 0 else { throw StateFileError(path: path, reason: "cannot lock \(path).lock: \(String(cString: strerror(errno)).lowercased())") }
        var configuration = Configuration()
        // Other processes hold the write lock for milliseconds; wait for them rather than fail.
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // WAL with NORMAL sync: a committed transaction survives a crash of the process;
            // a power loss can lose the last commits, never corrupt the file.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // 32 MiB of page cache (the default is 2 MiB): a storm's outbox and alerts stay in
            // memory instead of being read back from the file page by page.
            try db.execute(sql: "PRAGMA cache_size = -32768")
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try StoreSchema.migrator.migrate(pool)
        return pool
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async throws -> T {
        try await pool.write { db in try body(SQLiteTransaction(db)) }
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) throws -> T) async throws -> T {
        try await pool.read { db in try body(SQLiteTransaction(db)) }
    }
}

/// The row verbs as SQL on one connection, inside the transaction GRDB opened.
final class SQLiteTransaction: StoreTransaction {
    private let db: Database

    init(_ db: Database) {
        self.db = db
    }

    private func execute(_ sql: String, _ arguments: StatementArguments = []) throws {
        try db.cachedStatement(sql: sql).execute(arguments: arguments)
    }

    /// - Parameter cached: keep the prepared statement (a statement whose text varies, with a
    ///   list of placeholders, is not kept).
    private func rows(_ sql: String, _ arguments: StatementArguments = [], cached: Bool = true) throws -> [SQLiteRow] {
        let statement = cached ? try db.cachedStatement(sql: sql) : try db.makeStatement(sql: sql)
        let columns = statement.columnNames
        return try Row.fetchAll(statement, arguments: arguments).map { SQLiteRow(row: $0, columns: columns) }
    }

    /// The one time a query selects (`MIN(...)`); nil when there is none.
    private func date(_ sql: String, _ arguments: StatementArguments = []) throws -> Date? {
        try rows(sql, arguments).first?.date("value")
    }

    // MARK: Alerts

    // Writers take turns on the file (immediate transactions): a lock is nothing here.
    func openAlert(dedupKey: String, forUpdate: Bool) throws -> Alert? {
        // A key's open alert is its newest (alerts_dedup_key, read backwards: one row however
        // often the key resolved and opened before).
        try rows("SELECT * FROM alerts WHERE dedup_key = ? ORDER BY id DESC LIMIT 1", [dedupKey]).first
            .map(StoredRows.alert).flatMap { $0.status == .resolved ? nil : $0 }
    }

    func alert(id: Int64, forUpdate: Bool) throws -> Alert? {
        try rows("SELECT * FROM alerts WHERE id = ?", [id]).first.map(StoredRows.alert)
    }

    func openAlerts(dedupKeys: [String], forUpdate: Bool) throws -> [Alert] {
        // One indexed lookup each: in process, a statement costs no round trip.
        try dedupKeys.compactMap { try openAlert(dedupKey: $0, forUpdate: forUpdate) }
    }

    func alerts(ids: [Int64], forUpdate: Bool) throws -> [Alert] {
        guard !ids.isEmpty else { return [] }
        let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ", ")
        return try rows("SELECT * FROM alerts WHERE id IN (\(placeholders))", StatementArguments(ids), cached: false).map(StoredRows.alert)
    }

    func alertStatus(id: Int64) throws -> AlertStatus? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT status FROM alerts WHERE id = ?"), arguments: [id]).flatMap(AlertStatus.init(rawValue:))
    }

    func alerts(statuses: Set<AlertStatus>) throws -> [Alert] {
        guard !statuses.isEmpty else { return [] }
        let placeholders = Array(repeating: "?", count: statuses.count).joined(separator: ", ")
        return try rows("SELECT * FROM alerts WHERE status IN (\(placeholders)) ORDER BY id DESC",
                        StatementArguments(statuses.map(\.rawValue)), cached: false).map(StoredRows.alert)
    }

    func alertCount(statuses: Set<AlertStatus>) throws -> Int {
        guard !statuses.isEmpty else { return 0 }
        let placeholders = Array(repeating: "?", count: statuses.count).joined(separator: ", ")
        return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM alerts WHERE status IN (\(placeholders))", arguments: StatementArguments(statuses.map(\.rawValue))) ?? 0
    }

    func alertIDs(statuses: Set<AlertStatus>, offset: Int, limit: Int) throws -> [Int64] {
        guard !statuses.isEmpty, limit > 0 else { return [] }
        let placeholders = Array(repeating: "?", count: statuses.count).joined(separator: ", ")
        return try Int64.fetchAll(db, sql: "SELECT id FROM alerts WHERE status IN (\(placeholders)) ORDER BY id DESC LIMIT ? OFFSET ?",
                                  arguments: StatementArguments(statuses.map(\.rawValue)) + [limit, max(0, offset)])
    }

    func alertHeadings(statuses: Set<AlertStatus>) throws -> [AlertHeading] {
        guard !statuses.isEmpty else { return [] }
        let placeholders = Array(repeating: "?", count: statuses.count).joined(separator: ", ")
        // Read by position, not through StoredRows: a list reads every open alert's heading.
        let cursor = try Row.fetchCursor(db, sql: "SELECT id, kind, environment, source, summary, dedup_key FROM alerts WHERE status IN (\(placeholders)) ORDER BY id DESC",
                                         arguments: StatementArguments(statuses.map(\.rawValue)))
        var headings: [AlertHeading] = []
        while let row = try cursor.next() {
            let id: Int64
            switch (row[0] as DatabaseValue).storage {
            case .int64(let value): id = value
            default: throw StoreDecodingError(table: "alerts", column: "id", problem: "not a whole number")
            }
            // Text, and nothing else (a blob is not a summary); NULL only where allowed.
            func text(_ index: Int, _ column: String, optional: Bool = false) throws -> String? {
                switch (row[index] as DatabaseValue).storage {
                case .string(let value): return value
                case .null where optional: return nil
                default: throw StoreDecodingError(table: "alerts", column: column, row: "\(id)", problem: "expected text")
                }
            }
            headings.append(AlertHeading(id: id, kind: try text(1, "kind") ?? "", environment: try text(2, "environment", optional: true),
                                         source: try text(3, "source", optional: true), summary: try text(4, "summary") ?? "",
                                         dedupKey: try text(5, "dedup_key") ?? ""))
        }
        return headings
    }

    func insertAlert(_ alert: Alert) throws -> Int64 {
        try execute("""
            INSERT INTO alerts (dedup_key, kind, severity, environment, source, summary, status, first_seen, last_seen, count, details, links)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [alert.dedupKey, alert.kind.rawValue, alert.severity.rawValue, alert.environment, alert.source,
                  alert.summary, alert.status.rawValue, alert.firstSeen.timeIntervalSince1970,
                  alert.lastSeen.timeIntervalSince1970, alert.count, StoredRows.detailsText(alert), StoredRows.linksText(alert)])
        return db.lastInsertedRowID
    }

    func updateAlert(_ alert: Alert) throws {
        try execute("UPDATE alerts SET status = ?, last_seen = ?, count = ? WHERE id = ?",
                    [alert.status.rawValue, alert.lastSeen.timeIntervalSince1970, alert.count, alert.id])
    }

    // MARK: Timeline

    func appendLog(_ entry: AlertLogEntry) throws {
        try execute("INSERT INTO alert_log (alert_id, at, action, change, actor, note, summary, silenced) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [entry.alertID, entry.at.timeIntervalSince1970, entry.action.rawValue, entry.change.rawValue,
                     entry.actor, entry.note, entry.summary, entry.silenced ? 1 : 0])
    }

    func log(alertID: Int64) throws -> [AlertLogEntry] {
        try rows("SELECT * FROM alert_log WHERE alert_id = ? ORDER BY id", [alertID]).map(StoredRows.logEntry)
    }

    func logEntries(kind: AlertKind, since: Date) throws -> [(alert: Alert, entry: AlertLogEntry)] {
        var alerts: [Int64: Alert] = [:]
        return try rows("""
            SELECT l.* FROM alert_log l JOIN alerts a ON a.id = l.alert_id WHERE a.kind = ? AND l.at >= ? ORDER BY l.at, l.alert_id, l.id
            """, [kind.rawValue, since.timeIntervalSince1970]).compactMap { row in
            let entry = try StoredRows.logEntry(row)
            if alerts[entry.alertID] == nil { alerts[entry.alertID] = try alert(id: entry.alertID) }
            return alerts[entry.alertID].map { ($0, entry) }
        }
    }

    // MARK: Escalations

    func escalations(alertID: Int64, forUpdate: Bool) throws -> [EscalationState] {
        try rows("SELECT * FROM escalations WHERE alert_id = ? ORDER BY route", [alertID]).map(StoredRows.escalation)
    }

    func dueEscalations(at now: Date, limit: Int) throws -> [EscalationState] {
        try rows("SELECT * FROM escalations WHERE due_at <= ? ORDER BY due_at, alert_id, route LIMIT ?", [now.timeIntervalSince1970, limit]).map(StoredRows.escalation)
    }

    func saveEscalation(_ escalation: EscalationState) throws {
        try execute("""
            INSERT OR REPLACE INTO escalations (alert_id, policy, route, position, due_at, started_at, acknowledged, silenced, event,
                                                holds_first_page, resolved_before_first_page)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [escalation.alertID, escalation.policy, escalation.route, escalation.position, escalation.dueAt.timeIntervalSince1970,
                  escalation.startedAt.timeIntervalSince1970, escalation.acknowledged ? 1 : 0, escalation.silenced ? 1 : 0,
                  StoredRows.eventText(escalation.event), escalation.holdsFirstPage ? 1 : 0, escalation.resolvedBeforeFirstPage ? 1 : 0])
    }

    func deleteEscalation(alertID: Int64, route: String) throws {
        try execute("DELETE FROM escalations WHERE alert_id = ? AND route = ?", [alertID, route])
    }

    func earliestEscalationDue() throws -> Date? { try date("SELECT MIN(due_at) AS value FROM escalations") }

    // MARK: Outbox

    func insertOutbox(_ item: OutboxItem) throws -> Int64 {
        let digest = StoredRows.digestText(item)
        try execute("INSERT INTO outbox (alert_id, route, channel, recipient, position, action, created_at, digest, event) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [item.alertID, item.route, item.target.channel, item.target.recipient, item.position, item.action.rawValue,
                     item.createdAt.timeIntervalSince1970, digest, StoredRows.eventText(item.event)])
        return db.lastInsertedRowID
    }

    func outboxRow(id: Int64, forUpdate: Bool) throws -> OutboxRow? {
        try rows("SELECT * FROM outbox WHERE id = ?", [id]).first.map(StoredRows.outboxRow)
    }

    func outboxRows(ids: [Int64], forUpdate: Bool) throws -> [OutboxRow] {
        try ids.compactMap { try outboxRow(id: $0, forUpdate: forUpdate) }
    }

    func outbox(alertID: Int64, forUpdate: Bool) throws -> [OutboxRow] {
        try rows("SELECT * FROM outbox WHERE alert_id = ? ORDER BY id", [alertID]).map(StoredRows.outboxRow)
    }

    func claimCandidates(at now: Date, ownersGone: [String], excludingChannels: [String], limit: Int) throws -> [OutboxRow] {
        // Two index walks, each in id order and stopping at the limit, then merged.
        let excluded = excludingChannels.isEmpty ? "" : " AND o.channel NOT IN (\(Array(repeating: "?", count: excludingChannels.count).joined(separator: ", ")))"
        var pendingArguments: StatementArguments = [now.timeIntervalSince1970]
        pendingArguments += StatementArguments(excludingChannels)
        pendingArguments += [limit]
        let pending = try rows("""
            SELECT o.* FROM outbox o WHERE o.state = 'pending' AND (o.not_before IS NULL OR o.not_before <= ?)\(excluded)
            ORDER BY o.id LIMIT ?
            """, pendingArguments, cached: excludingChannels.isEmpty)
        let placeholders = ownersGone.isEmpty ? "NULL" : Array(repeating: "?", count: ownersGone.count).joined(separator: ", ")
        var arguments: StatementArguments = [now.timeIntervalSince1970]
        arguments += StatementArguments(ownersGone)
        arguments += StatementArguments(excludingChannels)
        arguments += [limit]
        let taken = try rows("""
            SELECT o.* FROM outbox o WHERE o.state = 'claimed' AND (o.lease_until < ? OR o.lease_owner IN (\(placeholders)))\(excluded)
            ORDER BY o.id LIMIT ?
            """, arguments, cached: false)
        return try (pending + taken).map(StoredRows.outboxRow).sorted { $0.item.id < $1.item.id }.prefix(limit).map { $0 }
    }

    func leaseOwners(at now: Date) throws -> [String] {
        try String.fetchAll(db.cachedStatement(sql: "SELECT DISTINCT lease_owner FROM outbox WHERE state = 'claimed' AND lease_until >= ? ORDER BY lease_owner"),
                            arguments: [now.timeIntervalSince1970])
    }

    func saveOutbox(_ row: OutboxRow) throws {
        let columns = StoredRows.stateColumns(row.state)
        try execute("UPDATE outbox SET state = ?, lease_owner = ?, lease_until = ?, not_before = ?, outcome = ? WHERE id = ?",
                    [columns.state, columns.owner, columns.until, columns.notBefore, columns.outcome, row.item.id])
    }

    func setOutboxState(_ state: OutboxRow.State, ids: [Int64]) throws {
        guard !ids.isEmpty else { return }
        let columns = StoredRows.stateColumns(state)
        let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ", ")
        var arguments: StatementArguments = [columns.state, columns.owner, columns.until, columns.notBefore, columns.outcome]
        arguments += StatementArguments(ids)
        try db.makeStatement(sql: "UPDATE outbox SET state = ?, lease_owner = ?, lease_until = ?, not_before = ?, outcome = ? WHERE id IN (\(placeholders))")
            .execute(arguments: arguments)
    }

    func deleteOutbox(id: Int64) throws {
        try execute("DELETE FROM outbox WHERE id = ?", [id])
    }

    func earliestOutboxTime() throws -> Date? {
        let waiting = try date("SELECT MIN(not_before) AS value FROM outbox WHERE state = 'pending' AND not_before IS NOT NULL")
        let ready = try date("SELECT MIN(created_at) AS value FROM outbox WHERE state = 'pending' AND not_before IS NULL")
        let lease = try date("SELECT MIN(lease_until) AS value FROM outbox WHERE state = 'claimed'")
        return [waiting, ready, lease].compactMap { $0 }.min()
    }

    func openOutboxPlaces(dedupKeys: [String]) throws -> [OutboxPlace] {
        guard !dedupKeys.isEmpty else { return [] }
        let placeholders = Array(repeating: "?", count: dedupKeys.count).joined(separator: ", ")
        return try rows("""
            SELECT a.dedup_key, o.id, o.alert_id, o.action, o.channel, o.recipient FROM alerts a JOIN outbox o ON o.alert_id = a.id
            WHERE a.dedup_key IN (\(placeholders)) AND o.state != 'done' ORDER BY o.id
            """, StatementArguments(dedupKeys), cached: false).map(StoredRows.outboxPlace)
    }

    func openOutbox(recipient: String) throws -> [OutboxRow] {
        try rows("SELECT * FROM outbox WHERE state != 'done' AND recipient = ? ORDER BY id", [recipient]).map(StoredRows.outboxRow)
    }

    func outboxCounts() throws -> OutboxCounts {
        var counts = OutboxCounts()
        for row in try rows("SELECT state, lease_owner, COUNT(*) AS n FROM outbox WHERE state <> 'done' GROUP BY state, lease_owner") {
            let n = Int(try row.int64("n") ?? 0)
            if try row.string("state") == "claimed" { counts.claimed[try row.string("lease_owner") ?? "", default: 0] += n } else { counts.pending += n }
        }
        return counts
    }

    // MARK: Throttles

    func lockLedger(_ ledger: Ledger) throws {}

    func throttleSends(contact: String, medium: ContactMedium) throws -> [Date] {
        try rows("SELECT at FROM throttle_sends WHERE contact = ? AND medium = ? ORDER BY at", [contact, medium.rawValue]).map {
            try StoredRows.time($0, table: "throttle_sends", column: "at", key: "\(contact)/\(medium.rawValue)")
        }
    }

    func insertThrottleSend(contact: String, medium: ContactMedium, at date: Date) throws {
        try execute("INSERT INTO throttle_sends (contact, medium, at) VALUES (?, ?, ?)", [contact, medium.rawValue, date.timeIntervalSince1970])
    }

    func deleteThrottleSends(contact: String, medium: ContactMedium, notAfter date: Date) throws {
        try execute("DELETE FROM throttle_sends WHERE contact = ? AND medium = ? AND at <= ?", [contact, medium.rawValue, date.timeIntervalSince1970])
    }

    // MARK: Deliveries

    func insertDelivery(_ record: DeliveryRecord) throws {
        let report = record.report
        let attempts = StoredRows.attemptsText(report)
        try execute("""
            INSERT INTO deliveries (alert_id, channel, recipient, at, outcome, reason, provider_id, attempts)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [record.alertID, report.channel, report.recipient,
                  StoredRows.deliveredAt(report),
                  report.outcome.label, report.outcome.reason, report.providerID, attempts])
    }

    func deliveries(alertID: Int64) throws -> [DeliveryRecord] {
        try rows("SELECT * FROM deliveries WHERE alert_id = ? ORDER BY id", [alertID]).map { try StoredRows.delivery($0, alertID: alertID) }
    }

    func lastDeliveredAlert(to recipient: String, channels: [String]) throws -> Int64? {
        guard !channels.isEmpty else { return nil }
        let placeholders = Array(repeating: "?", count: channels.count).joined(separator: ", ")
        return try Int64.fetchOne(db, sql: "SELECT alert_id FROM deliveries WHERE recipient = ? AND outcome = 'delivered' AND channel IN (\(placeholders)) ORDER BY id DESC LIMIT 1",
                                  arguments: StatementArguments([recipient] + channels))
    }

    // MARK: Silences

    func insertSilence(_ silence: SilenceRow) throws -> Int64 {
        let matchers = StoredRows.matchersText(silence)
        try execute("INSERT INTO silences (matchers, starts_at, ends_at, comment, created_by) VALUES (?, ?, ?, ?, ?)",
                    [matchers, silence.startsAt.timeIntervalSince1970, silence.endsAt.timeIntervalSince1970, silence.comment, silence.createdBy])
        return db.lastInsertedRowID
    }

    func silence(id: Int64, forUpdate: Bool) throws -> SilenceRow? {
        try rows("SELECT * FROM silences WHERE id = ?", [id]).first.map(StoredRows.silence)
    }

    func silences(endingAfter date: Date?) throws -> [SilenceRow] {
        try rows("SELECT * FROM silences WHERE ends_at > ? ORDER BY id", [date?.timeIntervalSince1970 ?? -Double.infinity]).map(StoredRows.silence)
    }

    func updateSilence(_ silence: SilenceRow) throws {
        try execute("UPDATE silences SET starts_at = ?, ends_at = ?, comment = ?, created_by = ? WHERE id = ?",
                    [silence.startsAt.timeIntervalSince1970, silence.endsAt.timeIntervalSince1970, silence.comment, silence.createdBy, silence.id])
    }

    // MARK: Changes

    func insertChange(_ change: ChangeEvent) throws -> Int64 {
        try execute("INSERT INTO changes (at, summary, source, environment, details, links) VALUES (?, ?, ?, ?, ?, ?)",
                    [change.at.timeIntervalSince1970, change.summary, change.source, change.environment,
                     StoredRows.changeDetailsText(change), StoredRows.changeLinksText(change)])
        return db.lastInsertedRowID
    }

    func changes(from: Date, to: Date) throws -> [ChangeEvent] {
        try rows("SELECT * FROM changes WHERE at >= ? AND at <= ? ORDER BY at, id", [from.timeIntervalSince1970, to.timeIntervalSince1970])
            .map { try StoredRows.change($0) }
    }

    // MARK: Overrides

    func insertOverride(_ override: ScheduleOverride) throws -> Int64 {
        try execute("INSERT INTO schedule_overrides (schedule, member, starts_at, ends_at, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    [override.schedule, override.member, override.from.timeIntervalSince1970, override.until.timeIntervalSince1970,
                     override.createdBy, override.createdAt.timeIntervalSince1970])
        return db.lastInsertedRowID
    }

    func overrides(endingAfter date: Date?) throws -> [ScheduleOverride] {
        try rows("SELECT * FROM schedule_overrides WHERE ends_at > ? ORDER BY id", [date?.timeIntervalSince1970 ?? -Double.infinity]).map(StoredRows.override)
    }

    func deleteOverride(id: Int64) throws -> Bool {
        try execute("DELETE FROM schedule_overrides WHERE id = ?", [id])
        return db.changesCount > 0
    }

    // MARK: Heartbeats

    func beat(name: String, forUpdate: Bool) throws -> BeatRow? {
        try rows("SELECT * FROM heartbeats WHERE name = ?", [name]).first.map { try StoredRows.beat($0, name: name) }
    }

    func saveBeat(_ beat: BeatRow) throws {
        try execute("INSERT OR REPLACE INTO heartbeats (name, last_beat, first_seen) VALUES (?, ?, ?)",
                    [beat.name, beat.lastBeat?.timeIntervalSince1970, beat.firstSeen.timeIntervalSince1970])
    }

    // MARK: Instances

    func saveInstance(_ instance: InstanceRow) throws {
        try execute("INSERT OR REPLACE INTO instances (owner, role, started_at, last_seen) VALUES (?, ?, ?, ?)",
                    [instance.owner, instance.role, instance.startedAt.timeIntervalSince1970, instance.lastSeen.timeIntervalSince1970])
    }

    func instances() throws -> [InstanceRow] {
        try rows("SELECT * FROM instances ORDER BY owner").map(StoredRows.instance)
    }

    func deleteInstance(owner: String) throws {
        try execute("DELETE FROM instances WHERE owner = ?", [owner])
    }

    // MARK: Storm control

    func contactPages(contact: String) throws -> [ContactPage] {
        try rows("SELECT * FROM contact_pages WHERE contact = ? ORDER BY at, rowid", [contact]).map { try StoredRows.contactPage($0, contact: contact) }
    }

    func insertContactPage(_ page: ContactPage) throws {
        try execute("INSERT INTO contact_pages (contact, alert_id, at) VALUES (?, ?, ?)", [page.contact, page.alertID, page.at.timeIntervalSince1970])
    }

    func deleteContactPages(contact: String, notAfter date: Date) throws {
        try execute("DELETE FROM contact_pages WHERE contact = ? AND at <= ?", [contact, date.timeIntervalSince1970])
    }

    func heldPages(contact: String) throws -> [HeldPage] {
        try rows("SELECT * FROM storm_held WHERE contact = ? ORDER BY at, alert_id", [contact]).map { try StoredRows.heldPage($0, contact: contact) }
    }

    func insertHeldPage(_ page: HeldPage) throws {
        try execute("INSERT OR IGNORE INTO storm_held (contact, alert_id, channel, at, digest_at) VALUES (?, ?, ?, ?, ?)",
                    [page.contact, page.alertID, page.channel, page.at.timeIntervalSince1970, page.digestAt.timeIntervalSince1970])
    }

    func deleteHeldPages(contact: String) throws {
        try execute("DELETE FROM storm_held WHERE contact = ?", [contact])
    }

    func contactsWithDigestDue(at now: Date) throws -> [String] {
        try String.fetchAll(db.cachedStatement(sql: "SELECT DISTINCT contact FROM storm_held WHERE digest_at <= ? ORDER BY contact"), arguments: [now.timeIntervalSince1970])
    }

    func earliestDigest() throws -> Date? { try date("SELECT MIN(digest_at) AS value FROM storm_held") }

}

/// GRDB's row as the shared decoders read it, with its statement's column names. Columns are
/// found by exact name: GRDB's lookup by name lowercases each column name it passes, which was
/// 2% of a storm of new alerts. SQLite keeps whatever type was written in any column, so each
/// value's storage is checked: text where a number belongs is damage, not zero.
struct SQLiteRow: StoredColumns {
    let row: Row
    let columns: [String]

    package func string(_ column: String) throws -> String? {
        switch storage(column) {
        case .null: return nil
        case .string(let text): return text
        case let other: throw ColumnValueError("expected text, found \(Self.describe(other))")
        }
    }

    package func double(_ column: String) throws -> Double? {
        switch storage(column) {
        case .null: return nil
        case .double(let value): return value
        case .int64(let value): return Double(value)
        case let other: throw ColumnValueError("expected a number, found \(Self.describe(other))")
        }
    }

    package func int64(_ column: String) throws -> Int64? {
        switch storage(column) {
        case .null: return nil
        case .int64(let value): return value
        case .double(let value) where value.rounded() == value && abs(value) < 9e18: return Int64(value)
        case let other: throw ColumnValueError("expected a whole number, found \(Self.describe(other))")
        }
    }

    package func flag(_ column: String) throws -> Bool? {
        try int64(column).map { $0 != 0 }
    }

    private func storage(_ column: String) -> DatabaseValue.Storage {
        let value: DatabaseValue = if let index = columns.firstIndex(of: column) { row[index] } else { row[column] ?? .null }
        return value.storage
    }

    /// What was found, short, for the error (stored values are not secrets).
    private static func describe(_ storage: DatabaseValue.Storage) -> String {
        switch storage {
        case .null: "NULL"
        case .int64(let value): "the number \(value)"
        case .double(let value): "the number \(value)"
        case .string(let text): "the text \(quoted(String(text.prefix(40))))"
        case .blob(let data): "\(data.count) bytes of binary data"
        }
    }
}
