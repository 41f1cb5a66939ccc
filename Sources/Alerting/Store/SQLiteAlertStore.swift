import Foundation
import GRDB

/// An ``AlertStore`` in an SQLite file (WAL mode): the default for `notify`.
///
/// Several notify processes may use one file at once (a `watch` daemon, a cron `tick`, a
/// script's `send`): GRDB runs every write as an immediate transaction (the write lock is taken
/// first, so read-then-write cannot deadlock between processes), they take turns, and a partial
/// unique index keeps at most one open alert per dedup key whatever they do.
/// The state file could not be opened or brought up to date.
public struct StateFileError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public var description: String { reason }
}

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
        } catch {
            throw StateFileError(path: path, reason: "\(error)")
        }
    }

    private static func openPool(path: String) throws -> DatabasePool {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Processes that open a new file at the same moment would each switch it to WAL and
        // each run the migrations: they take turns on a lock file instead.
        let lock = open(path + ".lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard lock >= 0 else { throw StateFileError(path: path, reason: "cannot create \(path).lock (errno \(errno))") }
        defer { close(lock) }
        guard flock(lock, LOCK_EX) == 0 else { throw StateFileError(path: path, reason: "cannot lock \(path).lock (errno \(errno))") }
        var configuration = Configuration()
        // Other processes hold the write lock for milliseconds; wait for them rather than fail.
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // WAL with NORMAL sync: a committed transaction survives a crash of the process;
            // a power loss can lose the last commits, never corrupt the file.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try StoreSchema.migrator.migrate(pool)
        return pool
    }

    public func record(_ events: [AlertEvent], at now: Date, plan: @Sendable (AlertTransition) -> EscalationPlan) async throws -> [AlertTransition] {
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
                    var entry = AlertLogEntry(transition, alertID: alert.id, at: now)
                    if transition.change != .deduplicated {
                        entry.addNote(try Self.apply(db, plan(transition), to: transition, alert: alert, at: now))
                    }
                    try Self.appendLog(db, entry)
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
            try Self.insertDelivery(db, alertID: record.alertID, report: record.report, attempts: attempts)
        }
    }

    private static func insertDelivery(_ db: Database, alertID: Int64, report: DeliveryReport, attempts: String) throws {
        var providerID: String?
        if case .delivered(let id) = report.outcome { providerID = id }
        try db.execute(sql: """
            INSERT INTO deliveries (alert_id, channel, recipient, at, outcome, reason, provider_id, attempts)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [alertID, report.channel, report.recipient,
                             (report.attempts.last?.startedAt ?? Date()).timeIntervalSince1970,
                             report.outcome.label, report.outcome.reason, providerID, attempts])
    }

    public func alert(id: Int64) async throws -> Alert? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM alerts WHERE id = ?", arguments: [id]).map(Self.alert)
        }
    }

    public func lastAlertDelivered(to recipient: String, channels: [String]) async throws -> Int64? {
        guard !channels.isEmpty else { return nil }
        return try await pool.read { db in
            let placeholders = Array(repeating: "?", count: channels.count).joined(separator: ", ")
            return try Int64.fetchOne(db, sql: "SELECT alert_id FROM deliveries WHERE recipient = ? AND outcome = 'delivered' AND channel IN (\(placeholders)) ORDER BY id DESC LIMIT 1",
                                      arguments: StatementArguments([recipient] + channels))
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

    // MARK: Escalation and outbox

    /// Applies the plan; returns a note for the timeline when an acknowledge or resolve dropped
    /// pages that had not gone out.
    private static func apply(_ db: Database, _ plan: EscalationPlan, to transition: AlertTransition, alert: Alert, at now: Date) throws -> String? {
        var droppedNote: String?
        if transition.change == .acknowledged || transition.change == .resolved {
            let pending = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE alert_id = ? AND action = 'trigger' AND state = 'pending'", arguments: [alert.id]) ?? 0
            let fired = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE alert_id = ? AND action = 'trigger'", arguments: [alert.id]) ?? 0
            let escalating = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM escalations WHERE alert_id = ?", arguments: [alert.id]) ?? 0
            droppedNote = AlertLogEntry.droppedPagesNote(pending: pending, neverNotified: escalating > 0 && fired == 0)
        }
        switch transition.change {
        case .opened:
            for start in plan.starts {
                try db.execute(sql: "INSERT INTO escalations (alert_id, policy, route, position, due_at, started_at) VALUES (?, ?, ?, 0, ?, ?)",
                               arguments: [alert.id, start.policy, start.route, start.dueAt.timeIntervalSince1970, now.timeIntervalSince1970])
            }
        case .acknowledged:
            try cancelPendingPages(db, alertID: alert.id)
            for route in try String.fetchAll(db, sql: "SELECT route FROM escalations WHERE alert_id = ?", arguments: [alert.id]) {
                if let retriggerAt = plan.retriggerAt[route] {
                    try db.execute(sql: "UPDATE escalations SET acknowledged = 1, due_at = ? WHERE alert_id = ? AND route = ?",
                                   arguments: [retriggerAt.timeIntervalSince1970, alert.id, route])
                } else {
                    try db.execute(sql: "DELETE FROM escalations WHERE alert_id = ? AND route = ?", arguments: [alert.id, route])
                }
            }
        case .resolved:
            try cancelPendingPages(db, alertID: alert.id)
            try db.execute(sql: "DELETE FROM escalations WHERE alert_id = ?", arguments: [alert.id])
            if plan.notifyResolve {
                // Tell every channel and person the alert reached.
                let targets = try Row.fetchAll(db, sql: "SELECT DISTINCT channel, recipient FROM deliveries WHERE alert_id = ? AND outcome = 'delivered' ORDER BY id", arguments: [alert.id])
                for row in targets {
                    try enqueue(db, alertID: alert.id, route: nil, target: OutboxTarget(channel: row["channel"], recipient: row["recipient"]), position: nil, action: .resolve, at: now)
                }
            }
        default:
            break
        }
        return droppedNote
    }

    public func fireDueEscalations(at now: Date, limit: Int, fire: @Sendable (EscalationState, Alert) -> EscalationFiring) async throws -> Int {
        try await pool.write { db in
            let due = try Row.fetchAll(db, sql: "SELECT * FROM escalations WHERE due_at <= ? ORDER BY due_at LIMIT ?", arguments: [now.timeIntervalSince1970, limit]).map(Self.escalation)
            for var escalation in due {
                let route = escalation.route
                guard var alert = try Row.fetchOne(db, sql: "SELECT * FROM alerts WHERE id = ?", arguments: [escalation.alertID]).map(Self.alert), alert.status.isOpen else {
                    try db.execute(sql: "DELETE FROM escalations WHERE alert_id = ? AND route = ?", arguments: [escalation.alertID, route])
                    continue
                }
                if escalation.acknowledged {
                    alert.status = .triggered
                    try Self.update(db, alert)
                    try Self.appendLog(db, AlertLogEntry(alertID: alert.id, at: now, action: .trigger, change: .retriggered, note: "acknowledged and not resolved within the ack timeout"))
                    escalation = EscalationState(alertID: alert.id, policy: escalation.policy, route: escalation.route, position: 0, dueAt: now, startedAt: now)
                }
                let firing = fire(escalation, alert)
                if firing.logNote {
                    try Self.appendLog(db, AlertLogEntry(alertID: alert.id, at: now, action: .trigger, change: .escalated, note: firing.note))
                }
                if let postponed = firing.postponeUntil {
                    try db.execute(sql: "UPDATE escalations SET due_at = ?, silenced = 1, position = ?, started_at = ?, acknowledged = 0 WHERE alert_id = ? AND route = ?",
                                   arguments: [postponed.timeIntervalSince1970, escalation.position, escalation.startedAt.timeIntervalSince1970, alert.id, route])
                    continue
                }
                let startedAt = firing.restartedAt ?? escalation.startedAt
                for target in firing.targets {
                    try Self.enqueue(db, alertID: alert.id, route: route, target: target, position: escalation.position, action: .trigger, at: now)
                }
                if let next = firing.next {
                    try db.execute(sql: "UPDATE escalations SET position = ?, due_at = ?, started_at = ?, acknowledged = 0, silenced = 0 WHERE alert_id = ? AND route = ?",
                                   arguments: [next.position, next.dueAt.timeIntervalSince1970, startedAt.timeIntervalSince1970, alert.id, route])
                } else {
                    try db.execute(sql: "DELETE FROM escalations WHERE alert_id = ? AND route = ?", arguments: [alert.id, route])
                }
            }
            return due.count
        }
    }

    public func claimOutbox(owner: LeaseOwner, at now: Date, leaseFor: Duration, limit: Int) async throws -> [OutboxItem] {
        try await pool.write { db in
            // Claims held by processes of this host that are gone are free at once.
            let holders = try String.fetchAll(db, sql: "SELECT DISTINCT lease_owner FROM outbox WHERE state = 'claimed' AND lease_until >= ?", arguments: [now.timeIntervalSince1970])
            let gone = holders.filter { LeaseOwner($0)?.isAlive() == false }
            let placeholders = gone.isEmpty ? "NULL" : Array(repeating: "?", count: gone.count).joined(separator: ", ")
            var arguments: StatementArguments = [now.timeIntervalSince1970, now.timeIntervalSince1970]
            arguments += StatementArguments(gone)
            arguments += [limit]
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM outbox
                WHERE (state = 'pending' AND (not_before IS NULL OR not_before <= ?))
                   OR (state = 'claimed' AND (lease_until < ? OR lease_owner IN (\(placeholders))))
                ORDER BY id LIMIT ?
                """, arguments: arguments)
            let items = rows.map(Self.outboxItem)
            for item in items {
                try db.execute(sql: "UPDATE outbox SET state = 'claimed', lease_owner = ?, lease_until = ? WHERE id = ?",
                               arguments: [owner.description, (now + leaseFor.timeInterval).timeIntervalSince1970, item.id])
            }
            return items
        }
    }

    public func completeOutbox(_ item: OutboxItem, report: DeliveryReport, retryAt: Date?, at now: Date) async throws -> Bool {
        let attempts = try String(decoding: JSONEncoder.notify().encode(report.attempts.map(AttemptJSON.init)), as: UTF8.self)
        return try await pool.write { db in
            if retryAt == nil {
                // The alerts a digest carried went out (or failed) with it.
                for id in item.digestOf { try Self.insertDelivery(db, alertID: id, report: report, attempts: attempts) }
            }
            try Self.insertDelivery(db, alertID: item.alertID, report: report, attempts: attempts)
            if let retryAt {
                try db.execute(sql: "UPDATE outbox SET state = 'pending', not_before = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?",
                               arguments: [retryAt.timeIntervalSince1970, item.id])
                return false
            }
            try db.execute(sql: "UPDATE outbox SET state = 'done', outcome = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?",
                           arguments: [report.outcome.label, item.id])
            guard let position = item.position else { return false }
            guard let route = item.route else { return false }
            let outcomes = try Row.fetchAll(db, sql: "SELECT state, outcome FROM outbox WHERE alert_id = ? AND route = ? AND position = ?", arguments: [item.alertID, route, position])
            let allFailed = outcomes.allSatisfy { ($0["state"] as String) == "done" && ($0["outcome"] as String?) == "permanent" }
            guard allFailed else { return false }
            try db.execute(sql: "UPDATE escalations SET due_at = ? WHERE alert_id = ? AND route = ? AND position = ? AND acknowledged = 0 AND due_at > ?",
                           arguments: [now.timeIntervalSince1970, item.alertID, route, position + 1, now.timeIntervalSince1970])
            guard db.changesCount > 0 else { return false }
            try Self.appendLog(db, AlertLogEntry(alertID: item.alertID, at: now, action: .trigger, change: .escalated, note: Self.fallbackNote))
            return true
        }
    }

    public func nextWakeUp() async throws -> Date? {
        try await pool.read { db in
            let due = try Double.fetchOne(db, sql: "SELECT MIN(due_at) FROM escalations")
            let pending = try Double.fetchOne(db, sql: "SELECT MIN(COALESCE(not_before, created_at)) FROM outbox WHERE state = 'pending'")
            let lease = try Double.fetchOne(db, sql: "SELECT MIN(lease_until) FROM outbox WHERE state = 'claimed'")
            let digest = try Double.fetchOne(db, sql: "SELECT MIN(digest_at) FROM storm_held")
            return [due, pending, lease, digest].compactMap { $0 }.min().map { Date(timeIntervalSince1970: $0) }
        }
    }

    public func escalation(alertID: Int64) async throws -> EscalationState? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM escalations WHERE alert_id = ? ORDER BY route LIMIT 1", arguments: [alertID]).map(Self.escalation)
        }
    }

    static let fallbackNote = "every delivery of the last step failed permanently: escalating now"

    private static func enqueue(_ db: Database, alertID: Int64, route: String?, target: OutboxTarget, position: Int?, action: EventAction, at now: Date) throws {
        try db.execute(sql: "INSERT INTO outbox (alert_id, route, channel, recipient, position, action, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       arguments: [alertID, route, target.channel, target.recipient, position, action.rawValue, now.timeIntervalSince1970])
    }

    /// Pages no process has claimed yet are dropped once the alert is acknowledged or resolved.
    private static func cancelPendingPages(_ db: Database, alertID: Int64) throws {
        // A storm digest stays: it carries other alerts too (it is re-checked when it goes out).
        try db.execute(sql: "DELETE FROM outbox WHERE alert_id = ? AND action = 'trigger' AND state = 'pending' AND digest IS NULL", arguments: [alertID])
    }

    private static func escalation(_ row: Row) -> EscalationState {
        var state = EscalationState(
            alertID: row["alert_id"], policy: row["policy"], route: row["route"], position: row["position"],
            dueAt: Date(timeIntervalSince1970: row["due_at"]), startedAt: Date(timeIntervalSince1970: row["started_at"]),
            acknowledged: (row["acknowledged"] as Int) != 0)
        state.silenced = (row["silenced"] as Int) != 0
        return state
    }

    // MARK: Silences

    public func addSilence(_ silence: Silence) async throws -> Silence {
        let matchers = try String(decoding: JSONEncoder().encode(silence.matchers.map(\.description)), as: UTF8.self)
        return try await pool.write { db in
            try db.execute(sql: "INSERT INTO silences (matchers, starts_at, ends_at, comment, created_by) VALUES (?, ?, ?, ?, ?)",
                           arguments: [matchers, silence.startsAt.timeIntervalSince1970, silence.endsAt.timeIntervalSince1970, silence.comment, silence.createdBy])
            var stored = silence
            stored.id = db.lastInsertedRowID
            return stored
        }
    }

    public func silences(notEndedAt date: Date?) async throws -> [Silence] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM silences WHERE ends_at > ? ORDER BY id", arguments: [date?.timeIntervalSince1970 ?? -Double.infinity]).map { row in
                let texts = (try? JSONDecoder().decode([String].self, from: Data((row["matchers"] as String).utf8))) ?? []
                return Silence(
                    id: row["id"], matchers: texts.compactMap { try? RouteMatcher.parse($0) },
                    startsAt: Date(timeIntervalSince1970: row["starts_at"]), endsAt: Date(timeIntervalSince1970: row["ends_at"]),
                    comment: row["comment"], createdBy: row["created_by"])
            }
        }
    }

    public func triggers(kind: AlertKind, field: MatchField, value: String?, since date: Date) async throws -> (count: Int, latest: Date?) {
        let column: String
        switch field {
        case .environment: column = "environment"
        case .source: column = "source"
        default: return (0, nil)
        }
        return try await pool.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT COUNT(*) AS n, MAX(l.at) AS latest FROM alert_log l JOIN alerts a ON a.id = l.alert_id
                WHERE a.kind = ? AND a.\(column) IS ? AND l.action = 'trigger' AND l.change IN ('opened', 'deduplicated') AND l.at >= ?
                """, arguments: [kind.rawValue, value, date.timeIntervalSince1970])
            return (row?["n"] ?? 0, (row?["latest"] as Double?).map { Date(timeIntervalSince1970: $0) })
        }
    }

    public func recordBeat(_ name: String, at date: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO heartbeats (name, last_beat, first_seen) VALUES (?, ?, ?)
                ON CONFLICT(name) DO UPDATE SET last_beat = MAX(COALESCE(last_beat, 0), excluded.last_beat)
                """, arguments: [name, date.timeIntervalSince1970, date.timeIntervalSince1970])
        }
    }

    public func beats(_ names: [String], at now: Date) async throws -> [String: (lastBeat: Date?, since: Date)] {
        guard !names.isEmpty else { return [:] }
        return try await pool.write { db in
            var result: [String: (lastBeat: Date?, since: Date)] = [:]
            for name in names {
                try db.execute(sql: "INSERT OR IGNORE INTO heartbeats (name, first_seen) VALUES (?, ?)", arguments: [name, now.timeIntervalSince1970])
                if let row = try Row.fetchOne(db, sql: "SELECT last_beat, first_seen FROM heartbeats WHERE name = ?", arguments: [name]) {
                    result[name] = ((row["last_beat"] as Double?).map { Date(timeIntervalSince1970: $0) }, Date(timeIntervalSince1970: row["first_seen"]))
                }
            }
            return result
        }
    }

    public func expireSilence(id: Int64, at now: Date) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "UPDATE silences SET ends_at = MAX(?, starts_at) WHERE id = ? AND ends_at > ?",
                           arguments: [now.timeIntervalSince1970, id, now.timeIntervalSince1970])
            return db.changesCount > 0
        }
    }

    private static func outboxItem(_ row: Row) -> OutboxItem {
        OutboxItem(
            id: row["id"], alertID: row["alert_id"], route: row["route"], target: OutboxTarget(channel: row["channel"], recipient: row["recipient"]),
            position: row["position"], action: EventAction(rawValue: row["action"]) ?? .trigger,
            createdAt: Date(timeIntervalSince1970: row["created_at"]),
            digestOf: (row["digest"] as String?).flatMap { try? JSONDecoder().decode([Int64].self, from: Data($0.utf8)) } ?? [])
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
