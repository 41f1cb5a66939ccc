import Foundation
import GRDB

/// An ``AlertStore`` in an SQLite file (WAL mode): the default for `notify`.
///
/// Several notify processes may use one file at once (a `watch` daemon, a cron `tick`, a
/// script's `send`): GRDB runs every write as an immediate transaction (the write lock is taken
/// first, so read-then-write cannot deadlock between processes), they take turns, and a partial
/// unique index keeps at most one open alert per dedup key whatever they do.
public final class SQLiteAlertStore: AlertStore {
    public let path: String
    let pool: DatabasePool

    /// Opens (creating if needed) the file at `path` and brings its schema up to date.
    public init(path: String) throws {
        self.path = path
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        // Other processes hold the write lock for milliseconds; wait for them rather than fail.
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // WAL with NORMAL sync: a committed transaction survives a crash of the process;
            // a power loss can lose the last commits, never corrupt the file.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        try StoreSchema.migrator.migrate(pool)
    }

    public func record(_ events: [AlertEvent], at now: Date) async throws -> [AlertTransition] {
        try await pool.write { db in
            var cache: [String: Alert?] = [:]
            var dirty: [Int64: Alert] = [:]
            var transitions: [AlertTransition] = []
            transitions.reserveCapacity(events.count)
            for event in events {
                let open: Alert?
                if let cached = cache[event.dedupKey] {
                    open = cached
                } else {
                    open = try Self.fetchOpenAlert(db, dedupKey: event.dedupKey)
                }
                let (change, effect) = AlertStateMachine.apply(event, to: open, at: now)
                var transition = AlertTransition(change: change, alert: open, event: event)
                switch effect {
                case .open:
                    // Flush this key's pending update first: the old alert must be resolved on
                    // disk before the unique index sees a new open one.
                    if let previous = dirty.values.first(where: { $0.dedupKey == event.dedupKey }) {
                        try Self.update(db, previous)
                        dirty[previous.id] = nil
                    }
                    let alert = try Self.insert(db, AlertStateMachine.newAlert(id: 0, from: event, at: now))
                    cache[event.dedupKey] = alert
                    transition.alert = alert
                case .update(let alert):
                    dirty[alert.id] = alert
                    cache[event.dedupKey] = alert.status.isOpen ? alert : .some(nil)
                    transition.alert = alert
                case .none:
                    cache[event.dedupKey] = open
                }
                if let alert = transition.alert {
                    try Self.appendLog(db, AlertLogEntry(transition, alertID: alert.id, at: now))
                }
                transitions.append(transition)
            }
            for alert in dirty.values { try Self.update(db, alert) }
            return transitions
        }
    }

    public func recordDelivery(_ record: DeliveryRecord) async throws {
        let attempts = try String(decoding: JSONEncoder.notify().encode(record.report.attempts.map(AttemptJSON.init)), as: UTF8.self)
        try await pool.write { db in
            var providerID: String?
            if case .delivered(let id) = record.report.outcome { providerID = id }
            try db.execute(sql: """
                INSERT INTO deliveries (alert_id, channel, recipient, at, outcome, reason, provider_id, attempts)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [record.alertID, record.report.channel, record.report.recipient,
                                 (record.report.attempts.last?.startedAt ?? Date()).timeIntervalSince1970,
                                 record.report.outcome.label, record.report.outcome.reason, providerID, attempts])
        }
    }

    public func alert(id: Int64) async throws -> Alert? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM alerts WHERE id = ?", arguments: [id]).map(Self.alert)
        }
    }

    public func openAlert(dedupKey: String) async throws -> Alert? {
        try await pool.read { db in try Self.fetchOpenAlert(db, dedupKey: dedupKey) }
    }

    public func alerts(statuses: Set<AlertStatus>) async throws -> [Alert] {
        let list = statuses.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        guard !list.isEmpty else { return [] }
        return try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM alerts WHERE status IN (\(list)) ORDER BY id DESC").map(Self.alert)
        }
    }

    public func deliveries(alertID: Int64) async throws -> [DeliveryRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM deliveries WHERE alert_id = ? ORDER BY id", arguments: [alertID]).map { row in
                let attempts = (try? JSONDecoder.notify().decode([AttemptJSON].self, from: Data((row["attempts"] as String? ?? "[]").utf8))) ?? []
                return DeliveryRecord(alertID: alertID, report: DeliveryReport(
                    channel: row["channel"], recipient: row["recipient"], attempts: attempts.map(\.attempt)))
            }
        }
    }

    public func log(alertID: Int64) async throws -> [AlertLogEntry] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM alert_log WHERE alert_id = ? ORDER BY id", arguments: [alertID]).map { row in
                AlertLogEntry(
                    alertID: alertID, at: Date(timeIntervalSince1970: row["at"]),
                    action: EventAction(rawValue: row["action"]) ?? .trigger,
                    change: AlertTransition.Change(rawValue: row["change"]) ?? .deduplicated,
                    actor: row["actor"], note: row["note"], summary: row["summary"])
            }
        }
    }

    // MARK: Rows

    private static func fetchOpenAlert(_ db: Database, dedupKey: String) throws -> Alert? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM alerts WHERE dedup_key = ? AND status != 'resolved'"), arguments: [dedupKey]).map(alert)
    }

    private static func insert(_ db: Database, _ alert: Alert) throws -> Alert {
        try db.execute(sql: """
            INSERT INTO alerts (dedup_key, kind, severity, environment, source, summary, status, first_seen, last_seen, count, details, links)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [alert.dedupKey, alert.kind.rawValue, alert.severity.rawValue, alert.environment, alert.source,
                             alert.summary, alert.status.rawValue, alert.firstSeen.timeIntervalSince1970,
                             alert.lastSeen.timeIntervalSince1970, alert.count, JSONValue.object(alert.details).compactJSON,
                             try String(decoding: JSONEncoder.notify().encode(alert.links), as: UTF8.self)])
        var inserted = alert
        inserted.id = db.lastInsertedRowID
        return inserted
    }

    private static func update(_ db: Database, _ alert: Alert) throws {
        try db.cachedStatement(sql: "UPDATE alerts SET status = ?, last_seen = ?, count = ? WHERE id = ?").execute(
                       arguments: [alert.status.rawValue, alert.lastSeen.timeIntervalSince1970, alert.count, alert.id])
    }

    private static func appendLog(_ db: Database, _ entry: AlertLogEntry) throws {
        try db.cachedStatement(sql: "INSERT INTO alert_log (alert_id, at, action, change, actor, note, summary) VALUES (?, ?, ?, ?, ?, ?, ?)").execute(
                       arguments: [entry.alertID, entry.at.timeIntervalSince1970, entry.action.rawValue, entry.change.rawValue,
                                   entry.actor, entry.note, entry.change == .opened ? nil : entry.summary])
    }

    private static func alert(_ row: Row) -> Alert {
        let details = (try? JSONParser.parse(Array((row["details"] as String? ?? "{}").utf8)))?.objectValue ?? [:]
        let links = (try? JSONDecoder().decode([Link].self, from: Data((row["links"] as String? ?? "[]").utf8))) ?? []
        return Alert(
            id: row["id"], dedupKey: row["dedup_key"], kind: AlertKind(rawValue: row["kind"]) ?? .unspecified,
            severity: Severity(rawValue: row["severity"]) ?? .error, environment: row["environment"], source: row["source"],
            summary: row["summary"], status: AlertStatus(rawValue: row["status"]) ?? .triggered,
            firstSeen: Date(timeIntervalSince1970: row["first_seen"]), lastSeen: Date(timeIntervalSince1970: row["last_seen"]),
            count: row["count"], details: details, links: links)
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
