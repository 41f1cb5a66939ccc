import Alerting
import Foundation

/// The writes of a transaction that nothing reads back at once (new alerts, their updates, the
/// timeline, escalations saved and deleted, new outbox rows, deliveries), kept until the transaction's next
/// statement or its commit and then sent as one set-based statement per table: a batch of 200
/// events costs a handful of statements, not a thousand.
///
/// Kept back, they are still written in an order that cannot change what a reader sees: every
/// other statement of the transaction is sent after them (``PostgresTransaction`` flushes
/// first), rows are inserted before the rows that refer to them, an update of an alert still
/// being kept back changes the row to insert, and a second save of an escalation replaces the
/// first, and a delete of it the save before (the last write of a row wins, as it would have one
/// statement at a time).
struct PostgresWriteBuffer {
    private var alertInserts: [Alert] = []
    private var insertIndex: [Int64: Int] = [:]
    private var alertUpdates: [Int64: Alert] = [:]
    private var updateOrder: [Int64] = []
    /// The last write of each escalation: its new state, or nil to delete it.
    private var escalations: [EscalationKey: EscalationState?] = [:]
    private var escalationOrder: [EscalationKey] = []
    private var outboxInserts: [OutboxItem] = []
    private var logEntries: [AlertLogEntry] = []
    private var deliveries: [DeliveryRecord] = []

    private struct EscalationKey: Hashable {
        var alertID: Int64
        var route: String
    }

    var isEmpty: Bool {
        alertInserts.isEmpty && alertUpdates.isEmpty && escalations.isEmpty && outboxInserts.isEmpty && logEntries.isEmpty && deliveries.isEmpty
    }

    /// A new alert whose id was reserved from the table's sequence.
    mutating func insert(_ alert: Alert) {
        insertIndex[alert.id] = alertInserts.count
        alertInserts.append(alert)
    }

    mutating func update(_ alert: Alert) {
        if let index = insertIndex[alert.id] {
            alertInserts[index].status = alert.status
            alertInserts[index].lastSeen = alert.lastSeen
            alertInserts[index].count = alert.count
            return
        }
        if alertUpdates.updateValue(alert, forKey: alert.id) == nil { updateOrder.append(alert.id) }
    }

    mutating func save(_ escalation: EscalationState) {
        write(escalation, as: EscalationKey(alertID: escalation.alertID, route: escalation.route))
    }

    mutating func deleteEscalation(alertID: Int64, route: String) {
        write(nil, as: EscalationKey(alertID: alertID, route: route))
    }

    private mutating func write(_ escalation: EscalationState?, as key: EscalationKey) {
        if escalations.updateValue(escalation, forKey: key) == nil { escalationOrder.append(key) }
    }

    /// A new outbox row whose id was reserved from the table's sequence.
    mutating func insert(_ item: OutboxItem) { outboxInserts.append(item) }
    mutating func append(_ entry: AlertLogEntry) { logEntries.append(entry) }
    mutating func insert(_ record: DeliveryRecord) { deliveries.append(record) }

    typealias Value = PostgresTransaction.Value

    /// The statements that write everything kept, in an order the foreign keys accept, and
    /// empties the buffer.
    mutating func take() -> [(sql: String, values: [Value])] {
        defer { self = PostgresWriteBuffer() }
        var statements: [(sql: String, values: [Value])] = []
        if !alertInserts.isEmpty {
            let rows = alertInserts
            statements.append(("""
                INSERT INTO alerts (id, dedup_key, kind, severity, environment, source, summary, status, first_seen, last_seen, count, details, links)
                SELECT * FROM unnest($1::int8[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                                     $9::float8[], $10::float8[], $11::int8[], $12::text[], $13::text[])
                """, [.intColumn(rows.map(\.id)), .textColumn(rows.map(\.dedupKey)), .textColumn(rows.map(\.kind.rawValue)),
                      .textColumn(rows.map(\.severity.rawValue)), .textColumn(rows.map(\.environment)), .textColumn(rows.map(\.source)),
                      .textColumn(rows.map(\.summary)), .textColumn(rows.map(\.status.rawValue)),
                      .doubleColumn(rows.map(\.firstSeen.timeIntervalSince1970)), .doubleColumn(rows.map(\.lastSeen.timeIntervalSince1970)),
                      .intColumn(rows.map { Int64($0.count) }), .textColumn(rows.map(StoredRows.detailsText)), .textColumn(rows.map(StoredRows.linksText))]))
        }
        if !updateOrder.isEmpty {
            let rows = updateOrder.compactMap { alertUpdates[$0] }
            statements.append(("""
                UPDATE alerts a SET status = u.status, last_seen = u.last_seen, count = u.count
                FROM unnest($1::int8[], $2::text[], $3::float8[], $4::int8[]) AS u(id, status, last_seen, count) WHERE a.id = u.id
                """, [.intColumn(rows.map(\.id)), .textColumn(rows.map(\.status.rawValue)), .doubleColumn(rows.map(\.lastSeen.timeIntervalSince1970)),
                      .intColumn(rows.map { Int64($0.count) })]))
        }
        // Each escalation's last write: the saves as one upsert, the deletes as one delete.
        let rows = escalationOrder.compactMap { escalations[$0] ?? nil }
        let deleted = escalationOrder.filter { escalations[$0] == .some(nil) }
        if !deleted.isEmpty {
            statements.append(("""
                DELETE FROM escalations e USING unnest($1::int8[], $2::text[]) AS d(alert_id, route) WHERE e.alert_id = d.alert_id AND e.route = d.route
                """, [.intColumn(deleted.map(\.alertID)), .textColumn(deleted.map(\.route))]))
        }
        if !rows.isEmpty {
            statements.append(("""
                INSERT INTO escalations (alert_id, policy, route, position, due_at, started_at, acknowledged, silenced, event, holds_first_page, resolved_before_first_page)
                SELECT * FROM unnest($1::int8[], $2::text[], $3::text[], $4::int8[], $5::float8[], $6::float8[], $7::bool[], $8::bool[], $9::text[],
                                     $10::bool[], $11::bool[])
                ON CONFLICT (alert_id, route) DO UPDATE SET policy = excluded.policy, position = excluded.position, due_at = excluded.due_at,
                    started_at = excluded.started_at, acknowledged = excluded.acknowledged, silenced = excluded.silenced, event = excluded.event,
                    holds_first_page = excluded.holds_first_page, resolved_before_first_page = excluded.resolved_before_first_page
                """, [.intColumn(rows.map(\.alertID)), .textColumn(rows.map(\.policy)), .textColumn(rows.map(\.route)),
                      .intColumn(rows.map { Int64($0.position) }), .doubleColumn(rows.map(\.dueAt.timeIntervalSince1970)),
                      .doubleColumn(rows.map(\.startedAt.timeIntervalSince1970)), .boolColumn(rows.map(\.acknowledged)), .boolColumn(rows.map(\.silenced)),
                      .textColumn(rows.map { StoredRows.eventText($0.event) }), .boolColumn(rows.map(\.holdsFirstPage)),
                      .boolColumn(rows.map(\.resolvedBeforeFirstPage))]))
        }
        if !outboxInserts.isEmpty {
            let rows = outboxInserts
            statements.append(("""
                INSERT INTO outbox (id, alert_id, route, channel, recipient, position, action, created_at, digest, event)
                SELECT * FROM unnest($1::int8[], $2::int8[], $3::text[], $4::text[], $5::text[], $6::int8[], $7::text[], $8::float8[], $9::text[], $10::text[])
                """, [.intColumn(rows.map(\.id)), .intColumn(rows.map(\.alertID)), .textColumn(rows.map(\.route)), .textColumn(rows.map(\.target.channel)),
                      .textColumn(rows.map(\.target.recipient)), .intColumn(rows.map { $0.position.map(Int64.init) }), .textColumn(rows.map(\.action.rawValue)),
                      .doubleColumn(rows.map(\.createdAt.timeIntervalSince1970)), .textColumn(rows.map(StoredRows.digestText)),
                      .textColumn(rows.map { StoredRows.eventText($0.event) })]))
        }
        if !logEntries.isEmpty {
            // In the order they were appended: a timeline reads by id.
            let rows = logEntries
            statements.append(("""
                INSERT INTO alert_log (alert_id, at, action, change, actor, note, summary, silenced)
                SELECT alert_id, at, action, change, actor, note, summary, silenced
                FROM unnest($1::int8[], $2::float8[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bool[])
                     WITH ORDINALITY AS l(alert_id, at, action, change, actor, note, summary, silenced, n)
                ORDER BY n
                """, [.intColumn(rows.map(\.alertID)), .doubleColumn(rows.map(\.at.timeIntervalSince1970)), .textColumn(rows.map(\.action.rawValue)),
                      .textColumn(rows.map(\.change.rawValue)), .textColumn(rows.map(\.actor)), .textColumn(rows.map(\.note)),
                      .textColumn(rows.map(\.summary)), .boolColumn(rows.map(\.silenced))]))
        }
        if !deliveries.isEmpty {
            let reports = deliveries.map(\.report)
            statements.append(("""
                INSERT INTO deliveries (alert_id, channel, recipient, at, outcome, reason, provider_id, attempts)
                SELECT alert_id, channel, recipient, at, outcome, reason, provider_id, attempts
                FROM unnest($1::int8[], $2::text[], $3::text[], $4::float8[], $5::text[], $6::text[], $7::text[], $8::text[])
                     WITH ORDINALITY AS d(alert_id, channel, recipient, at, outcome, reason, provider_id, attempts, n)
                ORDER BY n
                """, [.intColumn(deliveries.map(\.alertID)), .textColumn(reports.map(\.channel)), .textColumn(reports.map(\.recipient)),
                      .doubleColumn(reports.map(StoredRows.deliveredAt)), .textColumn(reports.map(\.outcome.label)), .textColumn(reports.map(\.outcome.reason)),
                      .textColumn(reports.map(\.providerID)), .textColumn(reports.map(StoredRows.attemptsText))]))
        }
        return statements
    }
}
