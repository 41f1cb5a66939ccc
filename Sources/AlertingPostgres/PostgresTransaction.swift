import Alerting
import Foundation
import Logging
import PostgresNIO

/// The row verbs as SQL on one connection, inside one transaction. Runs on a thread of the
/// store's pool and waits there for the answers it needs: writes nothing reads back at once are
/// kept back and sent as one statement per table (``PostgresWriteBuffer``), and a statement whose
/// answer is not needed is sent without waiting for it (docs/architecture.md, "A batch").
///
/// The rules name the locks they need (see ``AlertStore``): a read "for update" is
/// `SELECT ... FOR UPDATE` in a write transaction, and a contact's ledger (throttles, storm
/// control) is a transaction advisory lock on its name, taken before the ledger is read. A
/// rule's read-then-write is then not interleaved with another instance's, as in SQLite where
/// writers take turns. Plain reads take no lock. Due escalations and claimable outbox rows are
/// locked with `SKIP LOCKED`: a row another instance is taking is left to it.
final class PostgresTransaction: StoreTransaction {
    private let connection: PostgresConnection
    private let writing: Bool
    private let logger: Logger
    /// Whether this transaction scheduled work (an outbox item, an escalation's due time):
    /// then its commit wakes the instances listening for work.
    private var scheduledWork = false

    /// An SQLSTATE to raise just before the commit (``PostgresAlertStore/failNextCommits(with:)``).
    private let failBeforeCommit: String?

    init(connection: PostgresConnection, writing: Bool, logger: Logger, failBeforeCommit: String? = nil) {
        self.connection = connection
        self.writing = writing
        self.logger = logger
        self.failBeforeCommit = failBeforeCommit
    }

    func run<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
        // Sent, not awaited: the body's first statement follows it on the same connection.
        send(writing ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        do {
            let result = try body(self)
            sendBufferedWrites()
            if scheduledWork { send("SELECT pg_notify('\(PostgresAlertStore.workChannel)', '')") }
            if let failBeforeCommit, failBeforeCommit.allSatisfy({ $0.isLetter || $0.isNumber }) {
                send("DO $$ BEGIN RAISE EXCEPTION 'injected before commit' USING ERRCODE = '\(failBeforeCommit)'; END $$")
            }
            // The kept-back writes, the NOTIFY and the COMMIT go out together: one round trip.
            send("COMMIT")
            _ = try awaitAnswers()
            return result
        } catch {
            buffer = PostgresWriteBuffer()
            send("ROLLBACK")
            _ = try? awaitAnswers()
            throw error
        }
    }

    // MARK: Ids

    /// Ids taken from a table's sequence for rows this transaction will insert, so that a row
    /// kept back in the buffer has its id at once and the rows that refer to it can be written
    /// beside it. An id reserved and not used is a gap, as a rolled-back insert leaves.
    private var alertIDs: [Int64] = []
    private var outboxIDs: [Int64] = []
    /// How many alerts the batch being recorded may open (``openAlerts(dedupKeys:forUpdate:)``
    /// counts the keys that have none): alert ids are what people type, so no more are taken.
    private var expectedNewAlerts = 1
    private var outboxIDBlock = 8

    /// The next reserved id, taking `count` more from the sequence when none is left.
    private func reservedID(from reserve: inout [Int64], sequence: String, count: Int) throws -> Int64 {
        if reserve.isEmpty {
            reserve = try query("SELECT nextval('\(sequence)') AS id FROM generate_series(1, $1) ORDER BY 1", [.int(Int64(max(1, count)))])
                .map { try RowReader($0, table: sequence).int64(required: "id") }
        }
        guard !reserve.isEmpty else { return try Self.noID(sequence) }
        return reserve.removeFirst()
    }

    // MARK: Statements

    /// The longest a statement may take, lock waits included: far beyond any of notify's (they
    /// lock rows other transactions hold for milliseconds), short enough that a connection
    /// lost without a word costs one round, not the process.
    static let statementDeadline = TimeAmount.seconds(30)

    enum Value {
        case text(String?), int(Int64?), double(Double?), bool(Bool), texts([String]), ints([Int64])
        /// A column of a batch of rows (``PostgresColumn``), read with `unnest`.
        case textColumn([String?]), intColumn([Int64?]), doubleColumn([Double?]), boolColumn([Bool?])
    }

    /// Writes kept back until the next statement or the commit (``PostgresWriteBuffer``).
    private var buffer = PostgresWriteBuffer()
    /// Statements sent whose answers nobody has read yet, oldest first. A statement whose
    /// answer is not needed (a write, BEGIN) is not waited for: the next one follows it on the
    /// connection at once, and its error, if any, is thrown where the next answer is awaited.
    private var unanswered: [EventLoopFuture<PostgresQueryResult>] = []

    private static func binds(_ values: [Value]) -> PostgresBindings {
        var binds = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .text(let text): text.map { binds.append($0) } ?? binds.appendNull()
            case .int(let int): int.map { binds.append($0) } ?? binds.appendNull()
            case .double(let double): double.map { binds.append($0) } ?? binds.appendNull()
            case .bool(let bool): binds.append(bool)
            case .texts(let texts): binds.append(texts)
            case .ints(let ints): binds.append(ints)
            case .textColumn(let column): binds.append(PostgresColumn(column))
            case .intColumn(let column): binds.append(PostgresColumn(column))
            case .doubleColumn(let column): binds.append(PostgresColumn(column))
            case .boolColumn(let column): binds.append(PostgresColumn(column))
            }
        }
        return binds
    }

    /// Sends a statement without waiting for its answer.
    private func send(_ sql: String, _ values: [Value] = []) {
        // A statement sent on a connection the server already closed (a restart, a failover)
        // is never answered: fail it here rather than hang a round.
        guard !connection.isClosed else {
            unanswered.append(connection.eventLoop.makeFailedFuture(PostgresStoreError.unreachable("the connection was closed (the server restarted or failed over)")))
            return
        }
        unanswered.append(connection.query(PostgresQuery(unsafeSQL: sql, binds: Self.binds(values)), logger: logger))
    }

    /// Sends the kept-back writes, each table's as one statement.
    private func sendBufferedWrites() {
        guard !buffer.isEmpty else { return }
        for statement in buffer.take() { send(statement.sql, statement.values) }
    }

    /// Waits for every statement sent so far, in order, and returns the last one's answer; the
    /// first error is thrown (the ones after it only say the transaction was aborted). Every
    /// wait is bounded.
    private func awaitAnswers() throws -> PostgresQueryResult? {
        let sent = unanswered
        unanswered = []
        guard let last = sent.last else { return nil }
        let eventLoop = connection.eventLoop
        let answered = eventLoop.makePromise(of: PostgresQueryResult.self)
        let deadline = eventLoop.scheduleTask(in: Self.statementDeadline) {
            answered.fail(PostgresStoreError.unreachable("no answer within \(Self.statementDeadline.nanoseconds / 1_000_000_000)s"))
        }
        defer { deadline.cancel() }
        EventLoopFuture.whenAllComplete(sent, on: eventLoop).whenSuccess { results in
            for result in results {
                if case .failure(let error) = result { answered.fail(error); return }
            }
            last.cascade(to: answered)
        }
        return try answered.futureResult.wait()
    }

    /// Runs a statement whose answer is needed: after every write before it, in order.
    private func query(_ sql: String, _ values: [Value] = []) throws -> [PostgresColumns] {
        sendBufferedWrites()
        send(sql, values)
        return try awaitAnswers()?.rows.map { PostgresColumns(row: $0.makeRandomAccess()) } ?? []
    }

    /// A write that is not kept back (a delete, a lock, an outbox row's new state): sent after
    /// the kept-back writes, not waited for.
    private func execute(_ sql: String, _ values: [Value] = []) throws {
        guard writing else { _ = try query(sql, values); return }
        sendBufferedWrites()
        send(sql, values)
    }

    /// ` FOR UPDATE` when the rule asked for it in a write transaction: the row is locked until
    /// the transaction ends.
    private func lock(_ forUpdate: Bool) -> String { writing && forUpdate ? " FOR UPDATE" : "" }

    /// Locks a contact's ledger for the rest of a write transaction (it has no row to lock until
    /// its first entry).
    func lockLedger(_ ledger: Ledger) throws {
        guard writing else { return }
        try execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [.text(ledger.description)])
    }

    private func date(_ sql: String, _ values: [Value] = []) throws -> Date? {
        try query(sql, values).first?.date("value")
    }

    private static func seconds(_ date: Date?) -> Value { .double(date?.timeIntervalSince1970) }

    /// The id an `INSERT ... RETURNING id` gave.
    private static func returnedID(_ rows: [PostgresColumns], table: String) throws -> Int64 {
        guard let row = rows.first else { return try noID(table) }
        return try RowReader(row, table: table).int64(required: "id")
    }

    private static func noID(_ table: String) throws -> Int64 {
        throw StoreDecodingError(table: table, column: "id", problem: "the insert returned no id")
    }

    /// The database's clock, in Unix seconds (the time of the call, not of the transaction's start).
    func now() throws -> Date {
        try date("SELECT extract(epoch FROM clock_timestamp())::float8 AS value") ?? Date()
    }

    // MARK: Alerts

    func openAlert(dedupKey: String, forUpdate: Bool) throws -> Alert? {
        try query("SELECT * FROM alerts WHERE dedup_key = $1 AND status <> 'resolved'" + lock(forUpdate), [.text(dedupKey)]).first.map(StoredRows.alert)
    }

    func openAlerts(dedupKeys: [String], forUpdate: Bool) throws -> [Alert] {
        guard !dedupKeys.isEmpty else { return [] }
        let open = try query("SELECT * FROM alerts WHERE dedup_key = ANY($1) AND status <> 'resolved' ORDER BY id" + lock(forUpdate), [.texts(dedupKeys)])
            .map(StoredRows.alert)
        // Each key without an open alert may open one: their ids are reserved in one go.
        expectedNewAlerts = max(1, dedupKeys.count - open.count)
        return open
    }

    func alert(id: Int64, forUpdate: Bool) throws -> Alert? {
        try query("SELECT * FROM alerts WHERE id = $1" + lock(forUpdate), [.int(id)]).first.map(StoredRows.alert)
    }

    func alertStatus(id: Int64) throws -> AlertStatus? {
        try query("SELECT id, status FROM alerts WHERE id = $1", [.int(id)]).first.map { try RowReader($0, table: "alerts", row: "\(id)").value(required: "status", as: AlertStatus.self) }
    }

    func alerts(statuses: Set<AlertStatus>) throws -> [Alert] {
        guard !statuses.isEmpty else { return [] }
        return try query("SELECT * FROM alerts WHERE status = ANY($1) ORDER BY id DESC", [.texts(statuses.map(\.rawValue))]).map(StoredRows.alert)
    }

    func alertCount(statuses: Set<AlertStatus>) throws -> Int {
        guard !statuses.isEmpty else { return 0 }
        let rows = try query("SELECT COUNT(*) AS value FROM alerts WHERE status = ANY($1)", [.texts(statuses.map(\.rawValue))])
        return Int(try rows.first?.int64("value") ?? 0)
    }

    func alertIDs(statuses: Set<AlertStatus>, offset: Int, limit: Int) throws -> [Int64] {
        guard !statuses.isEmpty, limit > 0 else { return [] }
        return try query("SELECT id FROM alerts WHERE status = ANY($1) ORDER BY id DESC LIMIT $2 OFFSET $3",
                         [.texts(statuses.map(\.rawValue)), .int(Int64(limit)), .int(Int64(max(0, offset)))]).map { try $0.int64("id") ?? 0 }
    }

    func alertHeadings(statuses: Set<AlertStatus>) throws -> [AlertHeading] {
        guard !statuses.isEmpty else { return [] }
        return try query("SELECT id, kind, environment, source, summary, dedup_key FROM alerts WHERE status = ANY($1) ORDER BY id DESC",
                         [.texts(statuses.map(\.rawValue))]).map(StoredRows.alertHeading)
    }

    func alerts(ids: [Int64], forUpdate: Bool) throws -> [Alert] {
        guard !ids.isEmpty else { return [] }
        return try query("SELECT * FROM alerts WHERE id = ANY($1) ORDER BY id" + lock(forUpdate), [.ints(ids)]).map(StoredRows.alert)
    }

    func insertAlert(_ alert: Alert) throws -> Int64 {
        var alert = alert
        alert.id = try reservedID(from: &alertIDs, sequence: "alerts_id_seq", count: expectedNewAlerts)
        expectedNewAlerts = 1
        buffer.insert(alert)
        return alert.id
    }

    func updateAlert(_ alert: Alert) throws {
        buffer.update(alert)
    }

    // MARK: Timeline

    func appendLog(_ entry: AlertLogEntry) throws {
        buffer.append(entry)
    }

    func log(alertID: Int64) throws -> [AlertLogEntry] {
        try query("SELECT * FROM alert_log WHERE alert_id = $1 ORDER BY id", [.int(alertID)]).map(StoredRows.logEntry)
    }

    func logEntries(kind: AlertKind, since: Date) throws -> [(alert: Alert, entry: AlertLogEntry)] {
        var alerts: [Int64: Alert] = [:]
        return try query("""
            SELECT l.* FROM alert_log l JOIN alerts a ON a.id = l.alert_id WHERE a.kind = $1 AND l.at >= $2 ORDER BY l.at, l.alert_id, l.id
            """, [.text(kind.rawValue), Self.seconds(since)]).compactMap { row in
            let entry = try StoredRows.logEntry(row)
            if alerts[entry.alertID] == nil {
                alerts[entry.alertID] = try query("SELECT * FROM alerts WHERE id = $1", [.int(entry.alertID)]).first.map(StoredRows.alert)
            }
            return alerts[entry.alertID].map { ($0, entry) }
        }
    }

    // MARK: Escalations

    func escalations(alertID: Int64, forUpdate: Bool) throws -> [EscalationState] {
        try query("SELECT * FROM escalations WHERE alert_id = $1 ORDER BY route" + lock(forUpdate), [.int(alertID)]).map(StoredRows.escalation)
    }

    func dueEscalations(at now: Date, limit: Int) throws -> [EscalationState] {
        try query("SELECT * FROM escalations WHERE due_at <= $1 ORDER BY due_at, alert_id, route LIMIT $2" + (writing ? " FOR UPDATE SKIP LOCKED" : ""),
                  [Self.seconds(now), .int(Int64(limit))]).map(StoredRows.escalation)
    }

    func saveEscalation(_ escalation: EscalationState) throws {
        scheduledWork = true
        buffer.save(escalation)
    }

    func deleteEscalation(alertID: Int64, route: String) throws {
        buffer.deleteEscalation(alertID: alertID, route: route)
    }

    func earliestEscalationDue() throws -> Date? { try date("SELECT MIN(due_at) AS value FROM escalations") }

    // MARK: Outbox

    func insertOutbox(_ item: OutboxItem) throws -> Int64 {
        scheduledWork = true
        var item = item
        item.id = try reservedID(from: &outboxIDs, sequence: "outbox_id_seq", count: outboxIDBlock)
        // Pages come in rounds: reserve more at a time as a transaction writes more of them.
        if outboxIDs.isEmpty { outboxIDBlock = min(outboxIDBlock * 2, 1024) }
        buffer.insert(item)
        return item.id
    }

    func outboxRow(id: Int64, forUpdate: Bool) throws -> OutboxRow? {
        try query("SELECT * FROM outbox WHERE id = $1" + lock(forUpdate), [.int(id)]).first.map(StoredRows.outboxRow)
    }

    func outboxRows(ids: [Int64], forUpdate: Bool) throws -> [OutboxRow] {
        guard !ids.isEmpty else { return [] }
        return try query("SELECT * FROM outbox WHERE id = ANY($1) ORDER BY id" + lock(forUpdate), [.ints(ids)]).map(StoredRows.outboxRow)
    }

    func outbox(alertID: Int64, forUpdate: Bool) throws -> [OutboxRow] {
        try query("SELECT * FROM outbox WHERE alert_id = $1 ORDER BY id" + lock(forUpdate), [.int(alertID)]).map(StoredRows.outboxRow)
    }

    func claimCandidates(at now: Date, ownersGone: [String], excludingChannels: [String], limit: Int) throws -> [OutboxRow] {
        let skipLocked = writing ? " FOR UPDATE OF o SKIP LOCKED" : ""
        let pending = try query("""
            SELECT o.* FROM outbox o WHERE o.state = 'pending' AND (o.not_before IS NULL OR o.not_before <= $1) AND o.channel <> ALL($2)
            ORDER BY o.id LIMIT $3
            """ + skipLocked, [Self.seconds(now), .texts(excludingChannels), .int(Int64(limit))])
        let taken = try query("""
            SELECT o.* FROM outbox o WHERE o.state = 'claimed' AND (o.lease_until < $1 OR o.lease_owner = ANY($2)) AND o.channel <> ALL($3)
            ORDER BY o.id LIMIT $4
            """ + skipLocked, [Self.seconds(now), .texts(ownersGone), .texts(excludingChannels), .int(Int64(limit))])
        return try (pending + taken).map(StoredRows.outboxRow).sorted { $0.item.id < $1.item.id }.prefix(limit).map { $0 }
    }

    func leaseOwners(at now: Date) throws -> [String] {
        try query("SELECT DISTINCT lease_owner FROM outbox WHERE state = 'claimed' AND lease_until >= $1 ORDER BY lease_owner", [Self.seconds(now)])
            .compactMap { try $0.string("lease_owner") }
    }

    func saveOutbox(_ row: OutboxRow) throws {
        let columns = StoredRows.stateColumns(row.state)
        if row.isPending { scheduledWork = true }
        try execute("UPDATE outbox SET state = $1, lease_owner = $2, lease_until = $3, not_before = $4, outcome = $5 WHERE id = $6",
                    [.text(columns.state), .text(columns.owner), .double(columns.until), .double(columns.notBefore), .text(columns.outcome), .int(row.item.id)])
    }

    func setOutboxState(_ state: OutboxRow.State, ids: [Int64]) throws {
        guard !ids.isEmpty else { return }
        let columns = StoredRows.stateColumns(state)
        if case .pending = state { scheduledWork = true }
        try execute("UPDATE outbox SET state = $1, lease_owner = $2, lease_until = $3, not_before = $4, outcome = $5 WHERE id = ANY($6)",
                    [.text(columns.state), .text(columns.owner), .double(columns.until), .double(columns.notBefore), .text(columns.outcome), .ints(ids)])
    }

    func deleteOutbox(id: Int64) throws {
        try execute("DELETE FROM outbox WHERE id = $1", [.int(id)])
    }

    func earliestOutboxTime() throws -> Date? {
        // LEAST ignores NULLs: the earliest of a retry's time, a ready row's creation, a lease's end.
        try date("""
            SELECT LEAST((SELECT MIN(not_before) FROM outbox WHERE state = 'pending'),
                         (SELECT MIN(created_at) FROM outbox WHERE state = 'pending' AND not_before IS NULL),
                         (SELECT MIN(lease_until) FROM outbox WHERE state = 'claimed')) AS value
            """)
    }

    func openOutboxPlaces(dedupKeys: [String]) throws -> [OutboxPlace] {
        guard !dedupKeys.isEmpty else { return [] }
        return try query("""
            SELECT a.dedup_key, o.id, o.alert_id, o.action, o.channel, o.recipient FROM alerts a JOIN outbox o ON o.alert_id = a.id
            WHERE a.dedup_key = ANY($1) AND o.state <> 'done' ORDER BY o.id
            """, [.texts(dedupKeys)]).map(StoredRows.outboxPlace)
    }

    func openOutbox(recipient: String) throws -> [OutboxRow] {
        try query("SELECT * FROM outbox WHERE state <> 'done' AND recipient = $1 ORDER BY id", [.text(recipient)]).map(StoredRows.outboxRow)
    }

    func outboxCounts() throws -> OutboxCounts {
        var counts = OutboxCounts()
        for row in try query("SELECT state, lease_owner, COUNT(*) AS n FROM outbox WHERE state <> 'done' GROUP BY state, lease_owner") {
            let n = Int(try row.int64("n") ?? 0)
            if try row.string("state") == "claimed" { counts.claimed[try row.string("lease_owner") ?? "", default: 0] += n } else { counts.pending += n }
        }
        return counts
    }

    // MARK: Deliveries

    func insertDelivery(_ record: DeliveryRecord) throws {
        buffer.insert(record)
    }

    func deliveries(alertID: Int64) throws -> [DeliveryRecord] {
        try query("SELECT * FROM deliveries WHERE alert_id = $1 ORDER BY id", [.int(alertID)]).map { try StoredRows.delivery($0, alertID: alertID) }
    }

    func lastDeliveredAlert(to recipient: String, channels: [String]) throws -> Int64? {
        guard !channels.isEmpty else { return nil }
        return try query("""
            SELECT alert_id FROM deliveries WHERE recipient = $1 AND outcome = 'delivered' AND channel = ANY($2) ORDER BY id DESC LIMIT 1
            """, [.text(recipient), .texts(channels)]).first.map { try RowReader($0, table: "deliveries").int64(required: "alert_id") }
    }

    // MARK: Silences

    func insertSilence(_ silence: SilenceRow) throws -> Int64 {
        try query("INSERT INTO silences (matchers, starts_at, ends_at, comment, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                  [.text(StoredRows.matchersText(silence)), Self.seconds(silence.startsAt), Self.seconds(silence.endsAt), .text(silence.comment), .text(silence.createdBy)])
            .first.map { try RowReader($0, table: "silences").int64(required: "id") } ?? Self.noID("silences")
    }

    func silence(id: Int64, forUpdate: Bool) throws -> SilenceRow? {
        try query("SELECT * FROM silences WHERE id = $1" + lock(forUpdate), [.int(id)]).first.map(StoredRows.silence)
    }

    func silences(endingAfter date: Date?) throws -> [SilenceRow] {
        guard let date else { return try query("SELECT * FROM silences ORDER BY id").map(StoredRows.silence) }
        return try query("SELECT * FROM silences WHERE ends_at > $1 ORDER BY id", [Self.seconds(date)]).map(StoredRows.silence)
    }

    func updateSilence(_ silence: SilenceRow) throws {
        try execute("UPDATE silences SET starts_at = $1, ends_at = $2, comment = $3, created_by = $4 WHERE id = $5",
                    [Self.seconds(silence.startsAt), Self.seconds(silence.endsAt), .text(silence.comment), .text(silence.createdBy), .int(silence.id)])
    }

    // MARK: Changes

    func insertChange(_ change: ChangeEvent) throws -> Int64 {
        let rows = try query("""
            INSERT INTO changes (at, summary, source, environment, details, links) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id
            """, [Self.seconds(change.at), .text(change.summary), .text(change.source), .text(change.environment),
                  .text(StoredRows.changeDetailsText(change)), .text(StoredRows.changeLinksText(change))])
        return try Self.returnedID(rows, table: "changes")
    }

    func changes(from: Date, to: Date) throws -> [ChangeEvent] {
        try query("SELECT * FROM changes WHERE at >= $1 AND at <= $2 ORDER BY at, id", [Self.seconds(from), Self.seconds(to)]).map { try StoredRows.change($0) }
    }

    // MARK: Overrides

    func insertOverride(_ override: ScheduleOverride) throws -> Int64 {
        let rows = try query("""
            INSERT INTO schedule_overrides (schedule, member, starts_at, ends_at, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id
            """, [.text(override.schedule), .text(override.member), Self.seconds(override.from), Self.seconds(override.until),
                  .text(override.createdBy), Self.seconds(override.createdAt)])
        return try Self.returnedID(rows, table: "schedule_overrides")
    }

    func overrides(endingAfter date: Date?) throws -> [ScheduleOverride] {
        try query("SELECT * FROM schedule_overrides WHERE ends_at > $1 ORDER BY id", [Self.seconds(date ?? .distantPast)]).map(StoredRows.override)
    }

    func deleteOverride(id: Int64) throws -> Bool {
        !(try query("DELETE FROM schedule_overrides WHERE id = $1 RETURNING id", [.int(id)])).isEmpty
    }

    // MARK: Heartbeats

    func beat(name: String, forUpdate: Bool) throws -> BeatRow? {
        try query("SELECT * FROM heartbeats WHERE name = $1" + lock(forUpdate), [.text(name)]).first.map { try StoredRows.beat($0, name: name) }
    }

    func saveBeat(_ beat: BeatRow) throws {
        try execute("""
            INSERT INTO heartbeats (name, last_beat, first_seen) VALUES ($1, $2, $3)
            ON CONFLICT (name) DO UPDATE SET last_beat = excluded.last_beat, first_seen = excluded.first_seen
            """, [.text(beat.name), Self.seconds(beat.lastBeat), Self.seconds(beat.firstSeen)])
    }

    // MARK: Throttles

    func throttleSends(contact: String, medium: ContactMedium) throws -> [Date] {
        try query("SELECT at FROM throttle_sends WHERE contact = $1 AND medium = $2 ORDER BY at", [.text(contact), .text(medium.rawValue)])
            .map { try StoredRows.time($0, table: "throttle_sends", column: "at", key: "\(contact)/\(medium.rawValue)") }
    }

    func insertThrottleSend(contact: String, medium: ContactMedium, at date: Date) throws {
        try execute("INSERT INTO throttle_sends (contact, medium, at) VALUES ($1, $2, $3)", [.text(contact), .text(medium.rawValue), Self.seconds(date)])
    }

    func deleteThrottleSends(contact: String, medium: ContactMedium, notAfter date: Date) throws {
        try execute("DELETE FROM throttle_sends WHERE contact = $1 AND medium = $2 AND at <= $3", [.text(contact), .text(medium.rawValue), Self.seconds(date)])
    }

    // MARK: Instances

    func saveInstance(_ instance: InstanceRow) throws {
        try execute("""
            INSERT INTO instances (owner, role, started_at, last_seen) VALUES ($1, $2, $3, $4)
            ON CONFLICT (owner) DO UPDATE SET role = excluded.role, started_at = excluded.started_at, last_seen = excluded.last_seen
            """, [.text(instance.owner), .text(instance.role), Self.seconds(instance.startedAt), Self.seconds(instance.lastSeen)])
    }

    func instances() throws -> [InstanceRow] {
        try query("SELECT * FROM instances ORDER BY owner").map(StoredRows.instance)
    }

    func deleteInstance(owner: String) throws {
        try execute("DELETE FROM instances WHERE owner = $1", [.text(owner)])
    }

    // MARK: Storm control

    func contactPages(contact: String) throws -> [ContactPage] {
        try query("SELECT * FROM contact_pages WHERE contact = $1 ORDER BY at, id", [.text(contact)]).map { try StoredRows.contactPage($0, contact: contact) }
    }

    func insertContactPage(_ page: ContactPage) throws {
        try execute("INSERT INTO contact_pages (contact, alert_id, at) VALUES ($1, $2, $3)", [.text(page.contact), .int(page.alertID), Self.seconds(page.at)])
    }

    func deleteContactPages(contact: String, notAfter date: Date) throws {
        try execute("DELETE FROM contact_pages WHERE contact = $1 AND at <= $2", [.text(contact), Self.seconds(date)])
    }

    func heldPages(contact: String) throws -> [HeldPage] {
        try query("SELECT * FROM storm_held WHERE contact = $1 ORDER BY at, alert_id", [.text(contact)]).map { try StoredRows.heldPage($0, contact: contact) }
    }

    func insertHeldPage(_ page: HeldPage) throws {
        scheduledWork = true
        try execute("INSERT INTO storm_held (contact, alert_id, channel, at, digest_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                    [.text(page.contact), .int(page.alertID), .text(page.channel), Self.seconds(page.at), Self.seconds(page.digestAt)])
    }

    func deleteHeldPages(contact: String) throws {
        try execute("DELETE FROM storm_held WHERE contact = $1", [.text(contact)])
    }

    func contactsWithDigestDue(at now: Date) throws -> [String] {
        try query("SELECT DISTINCT contact FROM storm_held WHERE digest_at <= $1 ORDER BY contact", [Self.seconds(now)]).compactMap { try $0.string("contact") }
    }

    func earliestDigest() throws -> Date? { try date("SELECT MIN(digest_at) AS value FROM storm_held") }
}

/// PostgreSQL's row as the shared decoders read it: a value of the wrong type is an error, not nil.
struct PostgresColumns: StoredColumns {
    let row: PostgresRandomAccessRow

    func string(_ column: String) throws -> String? { try decode(column, String.self) }
    func double(_ column: String) throws -> Double? { try decode(column, Double.self) }
    func int64(_ column: String) throws -> Int64? { try decode(column, Int64.self) }
    func flag(_ column: String) throws -> Bool? { try decode(column, Bool.self) }

    private func decode<T: PostgresDecodable>(_ column: String, _ type: T.Type) throws -> T? {
        guard row.contains(column), row[column].bytes != nil else { return nil }
        do {
            return try row[column].decode(T.self)
        } catch {
            throw ColumnValueError("expected \(T.self), found PostgreSQL type \(row[column].dataType)")
        }
    }
}
