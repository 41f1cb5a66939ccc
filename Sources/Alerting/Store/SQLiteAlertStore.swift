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
            throw StateFileError(path: path, reason: "SQLite \(error.resultCode): \(error.message ?? "error")")
        } catch let error as StateFileError {
            throw error
        } catch {
            throw StateFileError(path: path, reason: StateLocation.oneLine(error))
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

    private func rows(_ sql: String, _ arguments: StatementArguments = []) throws -> [Row] {
        try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
    }

    private func date(_ sql: String, _ arguments: StatementArguments = []) throws -> Date? {
        try Double.fetchOne(db.cachedStatement(sql: sql), arguments: arguments).map { Date(timeIntervalSince1970: $0) }
    }

    // MARK: Alerts

    func openAlert(dedupKey: String) throws -> Alert? {
        try rows("SELECT * FROM alerts WHERE dedup_key = ? AND status != 'resolved'", [dedupKey]).first.map(Self.alert)
    }

    func alert(id: Int64) throws -> Alert? {
        try rows("SELECT * FROM alerts WHERE id = ?", [id]).first.map(Self.alert)
    }

    func alertStatus(id: Int64) throws -> AlertStatus? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT status FROM alerts WHERE id = ?"), arguments: [id]).flatMap(AlertStatus.init(rawValue:))
    }

    func alerts(statuses: Set<AlertStatus>) throws -> [Alert] {
        guard !statuses.isEmpty else { return [] }
        let placeholders = Array(repeating: "?", count: statuses.count).joined(separator: ", ")
        return try Row.fetchAll(db, sql: "SELECT * FROM alerts WHERE status IN (\(placeholders)) ORDER BY id DESC",
                                arguments: StatementArguments(statuses.map(\.rawValue))).map(Self.alert)
    }

    func insertAlert(_ alert: Alert) throws -> Int64 {
        try execute("""
            INSERT INTO alerts (dedup_key, kind, severity, environment, source, summary, status, first_seen, last_seen, count, details, links)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [alert.dedupKey, alert.kind.rawValue, alert.severity.rawValue, alert.environment, alert.source,
                  alert.summary, alert.status.rawValue, alert.firstSeen.timeIntervalSince1970,
                  alert.lastSeen.timeIntervalSince1970, alert.count, JSONValue.object(alert.details).compactJSON,
                  StoredJSON.encode(alert.links).compactJSON])
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
        try rows("SELECT * FROM alert_log WHERE alert_id = ? ORDER BY id", [alertID]).map(Self.logEntry)
    }

    func logEntries(kind: AlertKind, since: Date) throws -> [(alert: Alert, entry: AlertLogEntry)] {
        var alerts: [Int64: Alert] = [:]
        return try rows("""
            SELECT l.* FROM alert_log l JOIN alerts a ON a.id = l.alert_id WHERE a.kind = ? AND l.at >= ? ORDER BY l.at, l.alert_id, l.id
            """, [kind.rawValue, since.timeIntervalSince1970]).compactMap { row in
            let entry = Self.logEntry(row)
            if alerts[entry.alertID] == nil { alerts[entry.alertID] = try alert(id: entry.alertID) }
            return alerts[entry.alertID].map { ($0, entry) }
        }
    }

    // MARK: Escalations

    func escalations(alertID: Int64) throws -> [EscalationState] {
        try rows("SELECT * FROM escalations WHERE alert_id = ? ORDER BY route", [alertID]).map(Self.escalation)
    }

    func dueEscalations(at now: Date, limit: Int) throws -> [EscalationState] {
        try rows("SELECT * FROM escalations WHERE due_at <= ? ORDER BY due_at, alert_id, route LIMIT ?", [now.timeIntervalSince1970, limit]).map(Self.escalation)
    }

    func saveEscalation(_ escalation: EscalationState) throws {
        try execute("""
            INSERT OR REPLACE INTO escalations (alert_id, policy, route, position, due_at, started_at, acknowledged, silenced, event,
                                                holds_first_page, resolved_before_first_page)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [escalation.alertID, escalation.policy, escalation.route, escalation.position, escalation.dueAt.timeIntervalSince1970,
                  escalation.startedAt.timeIntervalSince1970, escalation.acknowledged ? 1 : 0, escalation.silenced ? 1 : 0,
                  try Self.json(escalation.event), escalation.holdsFirstPage ? 1 : 0, escalation.resolvedBeforeFirstPage ? 1 : 0])
    }

    func deleteEscalation(alertID: Int64, route: String) throws {
        try execute("DELETE FROM escalations WHERE alert_id = ? AND route = ?", [alertID, route])
    }

    func earliestEscalationDue() throws -> Date? { try date("SELECT MIN(due_at) FROM escalations") }

    // MARK: Outbox

    func insertOutbox(_ item: OutboxItem) throws -> Int64 {
        let digest = item.digestOf.isEmpty ? nil : String(decoding: try JSONEncoder().encode(item.digestOf), as: UTF8.self)
        try execute("INSERT INTO outbox (alert_id, route, channel, recipient, position, action, created_at, digest, event) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [item.alertID, item.route, item.target.channel, item.target.recipient, item.position, item.action.rawValue,
                     item.createdAt.timeIntervalSince1970, digest, try Self.json(item.event)])
        return db.lastInsertedRowID
    }

    func outboxRow(id: Int64) throws -> OutboxRow? {
        try rows("SELECT * FROM outbox WHERE id = ?", [id]).first.map(Self.outboxRow)
    }

    func outbox(alertID: Int64) throws -> [OutboxRow] {
        try rows("SELECT * FROM outbox WHERE alert_id = ? ORDER BY id", [alertID]).map(Self.outboxRow)
    }

    func claimCandidates(at now: Date, ownersGone: [String], limit: Int) throws -> [OutboxRow] {
        // Two index walks, each in id order and stopping at the limit, then merged.
        let pending = try rows("""
            SELECT * FROM outbox WHERE state = 'pending' AND (not_before IS NULL OR not_before <= ?) ORDER BY id LIMIT ?
            """, [now.timeIntervalSince1970, limit])
        let placeholders = ownersGone.isEmpty ? "NULL" : Array(repeating: "?", count: ownersGone.count).joined(separator: ", ")
        var arguments: StatementArguments = [now.timeIntervalSince1970]
        arguments += StatementArguments(ownersGone)
        arguments += [limit]
        let taken = try Row.fetchAll(db, sql: """
            SELECT * FROM outbox WHERE state = 'claimed' AND (lease_until < ? OR lease_owner IN (\(placeholders))) ORDER BY id LIMIT ?
            """, arguments: arguments)
        return (pending + taken).map(Self.outboxRow).sorted { $0.item.id < $1.item.id }.prefix(limit).map { $0 }
    }

    func leaseOwners(at now: Date) throws -> [String] {
        try String.fetchAll(db.cachedStatement(sql: "SELECT DISTINCT lease_owner FROM outbox WHERE state = 'claimed' AND lease_until >= ? ORDER BY lease_owner"),
                            arguments: [now.timeIntervalSince1970])
    }

    func saveOutbox(_ row: OutboxRow) throws {
        var state = "pending", owner: String?, until: Double?, notBefore: Double?, outcome: String?
        switch row.state {
        case .pending(let date): notBefore = date?.timeIntervalSince1970
        case .claimed(let holder, let date): (state, owner, until) = ("claimed", holder, date.timeIntervalSince1970)
        case .done(let label): (state, outcome) = ("done", label)
        }
        try execute("UPDATE outbox SET state = ?, lease_owner = ?, lease_until = ?, not_before = ?, outcome = ? WHERE id = ?",
                    [state, owner, until, notBefore, outcome, row.item.id])
    }

    func deleteOutbox(id: Int64) throws {
        try execute("DELETE FROM outbox WHERE id = ?", [id])
    }

    func earliestOutboxTime() throws -> Date? {
        let waiting = try date("SELECT MIN(not_before) FROM outbox WHERE state = 'pending' AND not_before IS NOT NULL")
        let ready = try date("SELECT MIN(created_at) FROM outbox WHERE state = 'pending' AND not_before IS NULL")
        let lease = try date("SELECT MIN(lease_until) FROM outbox WHERE state = 'claimed'")
        return [waiting, ready, lease].compactMap { $0 }.min()
    }

    func openOutbox(recipient: String) throws -> [OutboxRow] {
        try rows("SELECT * FROM outbox WHERE state != 'done' AND recipient = ? ORDER BY id", [recipient]).map(Self.outboxRow)
    }

    // MARK: Throttles

    func throttleSends(contact: String, medium: ContactMedium) throws -> [Date] {
        try Double.fetchAll(db.cachedStatement(sql: "SELECT at FROM throttle_sends WHERE contact = ? AND medium = ? ORDER BY at"),
                            arguments: [contact, medium.rawValue]).map { Date(timeIntervalSince1970: $0) }
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
        let attempts = JSONValue.array(report.attempts.map { AttemptJSON($0).json }).compactJSON
        try execute("""
            INSERT INTO deliveries (alert_id, channel, recipient, at, outcome, reason, provider_id, attempts)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [record.alertID, report.channel, report.recipient,
                  (report.attempts.last?.startedAt ?? Date(timeIntervalSince1970: 0)).timeIntervalSince1970,
                  report.outcome.label, report.outcome.reason, report.providerID, attempts])
    }

    func deliveries(alertID: Int64) throws -> [DeliveryRecord] {
        try rows("SELECT * FROM deliveries WHERE alert_id = ? ORDER BY id", [alertID]).map { row in
            let attempts: [DeliveryReport.Attempt]
            do {
                attempts = try JSONDecoder.notify().decode([AttemptJSON].self, from: Data((row["attempts"] as String? ?? "[]").utf8)).map(\.attempt)
            } catch {
                // Said in the timeline, not skipped: the delivery happened, its details are lost.
                attempts = [.init(startedAt: Date(timeIntervalSince1970: row["at"]),
                                  outcome: .permanent(reason: "stored attempts of delivery \(row["id"] as Int64) are unreadable: \(error)"))]
            }
            return DeliveryRecord(alertID: alertID, report: DeliveryReport(channel: row["channel"], recipient: row["recipient"], attempts: attempts))
        }
    }

    func lastDeliveredAlert(to recipient: String, channels: [String]) throws -> Int64? {
        guard !channels.isEmpty else { return nil }
        let placeholders = Array(repeating: "?", count: channels.count).joined(separator: ", ")
        return try Int64.fetchOne(db, sql: "SELECT alert_id FROM deliveries WHERE recipient = ? AND outcome = 'delivered' AND channel IN (\(placeholders)) ORDER BY id DESC LIMIT 1",
                                  arguments: StatementArguments([recipient] + channels))
    }

    // MARK: Silences

    func insertSilence(_ silence: SilenceRow) throws -> Int64 {
        let matchers = String(decoding: try JSONEncoder().encode(silence.matchers), as: UTF8.self)
        try execute("INSERT INTO silences (matchers, starts_at, ends_at, comment, created_by) VALUES (?, ?, ?, ?, ?)",
                    [matchers, silence.startsAt.timeIntervalSince1970, silence.endsAt.timeIntervalSince1970, silence.comment, silence.createdBy])
        return db.lastInsertedRowID
    }

    func silence(id: Int64) throws -> SilenceRow? {
        try rows("SELECT * FROM silences WHERE id = ?", [id]).first.map(Self.silence)
    }

    func silences(endingAfter date: Date?) throws -> [SilenceRow] {
        try rows("SELECT * FROM silences WHERE ends_at > ? ORDER BY id", [date?.timeIntervalSince1970 ?? -Double.infinity]).map(Self.silence)
    }

    func updateSilence(_ silence: SilenceRow) throws {
        try execute("UPDATE silences SET starts_at = ?, ends_at = ?, comment = ?, created_by = ? WHERE id = ?",
                    [silence.startsAt.timeIntervalSince1970, silence.endsAt.timeIntervalSince1970, silence.comment, silence.createdBy, silence.id])
    }

    // MARK: Heartbeats

    func beat(name: String) throws -> BeatRow? {
        try rows("SELECT * FROM heartbeats WHERE name = ?", [name]).first.map { row in
            BeatRow(name: name, lastBeat: (row["last_beat"] as Double?).map { Date(timeIntervalSince1970: $0) },
                    firstSeen: Date(timeIntervalSince1970: row["first_seen"]))
        }
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
        try rows("SELECT * FROM instances ORDER BY owner").map { row in
            InstanceRow(owner: row["owner"], role: row["role"], startedAt: Date(timeIntervalSince1970: row["started_at"]),
                        lastSeen: Date(timeIntervalSince1970: row["last_seen"]))
        }
    }

    func deleteInstance(owner: String) throws {
        try execute("DELETE FROM instances WHERE owner = ?", [owner])
    }

    // MARK: Storm control

    func contactPages(contact: String) throws -> [ContactPage] {
        try rows("SELECT * FROM contact_pages WHERE contact = ? ORDER BY at, rowid", [contact]).map { row in
            ContactPage(contact: contact, alertID: row["alert_id"], at: Date(timeIntervalSince1970: row["at"]))
        }
    }

    func insertContactPage(_ page: ContactPage) throws {
        try execute("INSERT INTO contact_pages (contact, alert_id, at) VALUES (?, ?, ?)", [page.contact, page.alertID, page.at.timeIntervalSince1970])
    }

    func deleteContactPages(contact: String, notAfter date: Date) throws {
        try execute("DELETE FROM contact_pages WHERE contact = ? AND at <= ?", [contact, date.timeIntervalSince1970])
    }

    func heldPages(contact: String) throws -> [HeldPage] {
        try rows("SELECT * FROM storm_held WHERE contact = ? ORDER BY at, alert_id", [contact]).map { row in
            HeldPage(contact: contact, alertID: row["alert_id"], channel: row["channel"],
                     at: Date(timeIntervalSince1970: row["at"]), digestAt: Date(timeIntervalSince1970: row["digest_at"]))
        }
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

    func earliestDigest() throws -> Date? { try date("SELECT MIN(digest_at) FROM storm_held") }

    // MARK: Rows

    private static func json(_ event: AlertEvent?) throws -> String? {
        event.map(StoredJSON.encode)
    }

    /// The stored event; nil when there is none or it cannot be read (rows from before v7, or
    /// damaged): the engine then builds the message from the alert itself.
    private static func event(_ row: Row) -> AlertEvent? {
        (row["event"] as String?).flatMap(StoredJSON.event)
    }

    private static func alert(_ row: Row) -> Alert {
        // Damaged details or links are shown as such (in show, in every message), not dropped.
        var details = (try? JSONParser.parse(Array((row["details"] as String? ?? "{}").utf8)))?.objectValue
            ?? ["notify_error": .string("the stored details of this alert are unreadable")]
        let links: [Link]
        if let decoded = (try? JSONParser.parse(Array((row["links"] as String? ?? "[]").utf8))).flatMap(StoredJSON.links) {
            links = decoded
        } else {
            links = []
            details["notify_error"] = .string("the stored links of this alert are unreadable")
        }
        return Alert(
            id: row["id"], dedupKey: row["dedup_key"], kind: AlertKind(rawValue: row["kind"]) ?? .unspecified,
            severity: Severity(rawValue: row["severity"]) ?? .error, environment: row["environment"], source: row["source"],
            summary: row["summary"], status: AlertStatus(rawValue: row["status"]) ?? .triggered,
            firstSeen: Date(timeIntervalSince1970: row["first_seen"]), lastSeen: Date(timeIntervalSince1970: row["last_seen"]),
            count: row["count"], details: details, links: links)
    }

    private static func logEntry(_ row: Row) -> AlertLogEntry {
        var entry = AlertLogEntry(
            alertID: row["alert_id"], at: Date(timeIntervalSince1970: row["at"]),
            action: EventAction(rawValue: row["action"]) ?? .trigger,
            change: AlertTransition.Change(rawValue: row["change"]) ?? .deduplicated,
            actor: row["actor"], note: row["note"], summary: row["summary"])
        entry.silenced = (row["silenced"] as Int) != 0
        return entry
    }

    private static func escalation(_ row: Row) -> EscalationState {
        var state = EscalationState(
            alertID: row["alert_id"], policy: row["policy"], route: row["route"], position: row["position"],
            dueAt: Date(timeIntervalSince1970: row["due_at"]), startedAt: Date(timeIntervalSince1970: row["started_at"]),
            acknowledged: (row["acknowledged"] as Int) != 0)
        state.silenced = (row["silenced"] as Int) != 0
        state.event = event(row)
        state.holdsFirstPage = (row["holds_first_page"] as Int) != 0
        state.resolvedBeforeFirstPage = (row["resolved_before_first_page"] as Int) != 0
        return state
    }

    private static func outboxRow(_ row: Row) -> OutboxRow {
        var problems: [String] = []
        var digestOf: [Int64] = []
        if let text = row["digest"] as String? {
            do { digestOf = try JSONDecoder().decode([Int64].self, from: Data(text.utf8)) } catch { problems.append("its digest's alert ids are unreadable (\(text.prefix(80)))") }
        }
        let event = event(row)
        if event == nil, row["event"] as String? != nil { problems.append("its event is unreadable; the message is built from the alert") }
        var item = OutboxItem(
            id: row["id"], alertID: row["alert_id"], route: row["route"], target: OutboxTarget(channel: row["channel"], recipient: row["recipient"]),
            position: row["position"], action: EventAction(rawValue: row["action"]) ?? .trigger,
            createdAt: Date(timeIntervalSince1970: row["created_at"]), digestOf: digestOf, event: event)
        if !problems.isEmpty { item.problem = "outbox item \(item.id): " + problems.joined(separator: "; ") }
        let state: OutboxRow.State
        switch row["state"] as String {
        case "claimed": state = .claimed(owner: row["lease_owner"] ?? "", until: Date(timeIntervalSince1970: row["lease_until"] ?? 0))
        case "done": state = .done(outcome: row["outcome"] ?? "permanent")
        default: state = .pending(notBefore: (row["not_before"] as Double?).map { Date(timeIntervalSince1970: $0) })
        }
        return OutboxRow(item: item, state: state)
    }

    private static func silence(_ row: Row) -> SilenceRow {
        // Text that is not a JSON list of strings is kept as one matcher the engine cannot parse,
        // so the silence is reported and silences nothing.
        let text: String = row["matchers"]
        let matchers = (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? [text]
        return SilenceRow(id: row["id"], matchers: matchers, startsAt: Date(timeIntervalSince1970: row["starts_at"]),
                          endsAt: Date(timeIntervalSince1970: row["ends_at"]), comment: row["comment"], createdBy: row["created_by"])
    }
}

/// One delivery attempt as the store keeps it.
struct AttemptJSON: Codable {
    /// Unix time with fractions: ordering against the alert log needs better than seconds.
    var at: Double
    var outcome: String
    var reason: String?
    var providerID: String?
    var retryAfterSeconds: Double?
    var nextAllowed: Date?

    enum CodingKeys: String, CodingKey {
        case at, outcome, reason, providerID = "provider_id", retryAfterSeconds = "retry_after_seconds", nextAllowed = "next_allowed"
    }

    init(_ attempt: DeliveryReport.Attempt) {
        at = attempt.startedAt.timeIntervalSince1970
        outcome = attempt.outcome.label
        reason = attempt.outcome.reason
        switch attempt.outcome {
        case .delivered(let id): providerID = id
        case .retryable(_, let retryAfter): retryAfterSeconds = retryAfter?.timeInterval
        case .throttled(let date): nextAllowed = date
        case .permanent: break
        }
    }

    /// As ``JSONEncoder/notify(pretty:)`` would write it (what `deliveries(alertID:)` reads),
    /// without Foundation's coder on the hot path.
    var json: JSONValue {
        var object: [String: JSONValue] = ["at": .double(at), "outcome": .string(outcome)]
        if let reason { object["reason"] = .string(reason) }
        if let providerID { object["provider_id"] = .string(providerID) }
        if let retryAfterSeconds { object["retry_after_seconds"] = .double(retryAfterSeconds) }
        if let nextAllowed { object["next_allowed"] = .string(nextAllowed.formatted(Date.ISO8601FormatStyle())) }
        return .object(object)
    }

    var attempt: DeliveryReport.Attempt {
        let outcome: DeliveryOutcome
        switch self.outcome {
        case "delivered": outcome = .delivered(providerID: providerID)
        case "retryable": outcome = .retryable(reason: reason ?? "", retryAfter: retryAfterSeconds.map { .milliseconds(Int64($0 * 1000)) })
        case "throttled": outcome = .throttled(nextAllowed: nextAllowed ?? Date(timeIntervalSince1970: at))
        default: outcome = .permanent(reason: reason ?? "")
        }
        return DeliveryReport.Attempt(startedAt: Date(timeIntervalSince1970: at), outcome: outcome)
    }
}

extension JSONDecoder {
    /// The decoder for what notify wrote with ``JSONEncoder/notify(pretty:)``.
    static func notify() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
