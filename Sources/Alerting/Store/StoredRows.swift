import Foundation

/// A stored row as the row decoders read it. SQLite's rows and PostgreSQL's both answer these,
/// so how a row becomes an alert, an outbox item or a timeline entry (and what a damaged column
/// does) is written once for every SQL store. Each accessor returns nil for NULL and throws
/// ``ColumnValueError`` for a value of the wrong type; the decoders below name the table, the
/// column and the row.
package protocol StoredColumns {
    func string(_ column: String) throws -> String?
    func double(_ column: String) throws -> Double?
    func int64(_ column: String) throws -> Int64?
    /// A yes/no column (an integer in SQLite, a boolean in PostgreSQL); nil for NULL.
    func flag(_ column: String) throws -> Bool?
}

/// What a store's row accessor found in place of the type asked for.
package struct ColumnValueError: Error {
    package var problem: String

    package init(_ problem: String) {
        self.problem = problem
    }
}

/// Reads one row of one table for a decoder: every failure is a ``StoreDecodingError`` with the
/// table, the column and the row's id; a required column that is NULL is one too.
package struct RowReader<Columns: StoredColumns> {
    let columns: Columns
    let table: String
    /// The row's id or key, once read, for the errors.
    var row: String?

    package init(_ columns: Columns, table: String, row: String? = nil) {
        self.columns = columns
        self.table = table
        self.row = row
    }

    private func read<T>(_ column: String, _ get: () throws -> T?) throws -> T? {
        do {
            return try get()
        } catch let error as ColumnValueError {
            throw StoreDecodingError(table: table, column: column, row: row, problem: error.problem)
        }
    }

    private func required<T>(_ column: String, _ value: T?) throws -> T {
        guard let value else { throw StoreDecodingError(table: table, column: column, row: row, problem: "missing (NULL)") }
        return value
    }

    package func string(_ column: String) throws -> String? { try read(column) { try columns.string(column) } }
    package func string(required column: String) throws -> String { try required(column, string(column)) }
    package func int64(_ column: String) throws -> Int64? { try read(column) { try columns.int64(column) } }
    package func int64(required column: String) throws -> Int64 { try required(column, int64(column)) }
    package func flag(_ column: String) throws -> Bool { try read(column) { try columns.flag(column) } ?? false }

    /// A time, stored as seconds since 1970; a value that is not a finite number is damaged.
    package func date(_ column: String) throws -> Date? {
        guard let seconds = try read(column, { try columns.double(column) }) else { return nil }
        guard seconds.isFinite else { throw StoreDecodingError(table: table, column: column, row: row, problem: "not a time: \(seconds)") }
        return Date(timeIntervalSince1970: seconds)
    }

    package func date(required column: String) throws -> Date { try required(column, date(column)) }

    /// One of a fixed set of words (a status, a kind, an action).
    package func value<T: RawRepresentable>(required column: String, as type: T.Type) throws -> T where T.RawValue == String {
        let text = try string(required: column)
        guard let value = T(rawValue: text) else {
            throw StoreDecodingError(table: table, column: column, row: row, problem: "\(quoted(String(text.prefix(40)))) is not a known value")
        }
        return value
    }

    /// The row's id, and from then on, the row the errors name.
    package mutating func id(_ column: String = "id") throws -> Int64 {
        let id = try int64(required: column)
        row = String(id)
        return id
    }
}

extension StoredColumns {
    /// A time column read without a table to name (a `MIN(...)` of the store's own query).
    package func date(_ column: String) throws -> Date? {
        try RowReader(self, table: "query").date(column)
    }
}

/// Rows to values and values to column text, for the SQL stores.
package enum StoredRows {
    // MARK: Values to columns

    package static func eventText(_ event: AlertEvent?) -> String? { event.map(StoredJSON.encode) }
    package static func detailsText(_ alert: Alert) -> String { JSONValue.object(alert.details).compactJSON }
    package static func linksText(_ alert: Alert) -> String { StoredJSON.encode(alert.links).compactJSON }
    package static func digestText(_ item: OutboxItem) -> String? {
        item.digestOf.isEmpty ? nil : JSONValue.array(item.digestOf.map { .int($0) }).compactJSON
    }
    package static func attemptsText(_ report: DeliveryReport) -> String {
        JSONValue.array(report.attempts.map { AttemptJSON($0).json }).compactJSON
    }
    package static func matchersText(_ silence: SilenceRow) -> String {
        JSONValue.array(silence.matchers.map { .string($0) }).compactJSON
    }
    /// When a delivery happened, for the deliveries table: its last attempt.
    package static func deliveredAt(_ report: DeliveryReport) -> Double {
        (report.attempts.last?.startedAt ?? Date(timeIntervalSince1970: 0)).timeIntervalSince1970
    }

    /// An outbox row's state as its columns: state, lease owner, lease end, not-before, outcome.
    package static func stateColumns(_ state: OutboxRow.State) -> (state: String, owner: String?, until: Double?, notBefore: Double?, outcome: String?) {
        switch state {
        case .pending(let date): ("pending", nil, nil, date?.timeIntervalSince1970, nil)
        case .claimed(let holder, let date): ("claimed", holder, date.timeIntervalSince1970, nil, nil)
        case .done(let label): ("done", nil, nil, nil, label)
        }
    }

    // MARK: Columns to values

    /// The stored event; nil when there is none or it cannot be read (rows from before v7, or
    /// damaged): the engine then builds the message from the alert itself.
    static func event(_ row: RowReader<some StoredColumns>) throws -> AlertEvent? {
        try row.string("event").flatMap(StoredJSON.event)
    }

    package static func alert(_ columns: some StoredColumns) throws -> Alert {
        var row = RowReader(columns, table: "alerts")
        let id = try row.id()
        // Damaged details or links are shown as such (in show, in every message), not dropped.
        var details = (try? JSONParser.parse(Array((try row.string("details") ?? "{}").utf8)))?.objectValue
            ?? ["notify_error": .string("the stored details of this alert are unreadable")]
        let links: [Link]
        if let decoded = (try? JSONParser.parse(Array((try row.string("links") ?? "[]").utf8))).flatMap(StoredJSON.links) {
            links = decoded
        } else {
            links = []
            details["notify_error"] = .string("the stored links of this alert are unreadable")
        }
        return Alert(
            id: id, dedupKey: try row.string(required: "dedup_key"), kind: try row.value(required: "kind", as: AlertKind.self),
            severity: try row.value(required: "severity", as: Severity.self), environment: try row.string("environment"), source: try row.string("source"),
            summary: try row.string(required: "summary"), status: try row.value(required: "status", as: AlertStatus.self),
            firstSeen: try row.date(required: "first_seen"), lastSeen: try row.date(required: "last_seen"),
            count: Int(try row.int64(required: "count")), details: details, links: links)
    }

    package static func alertHeading(_ columns: some StoredColumns) throws -> AlertHeading {
        var row = RowReader(columns, table: "alerts")
        return AlertHeading(id: try row.id(), kind: try row.string(required: "kind"), environment: try row.string("environment"), source: try row.string("source"),
                            summary: try row.string(required: "summary"), dedupKey: try row.string(required: "dedup_key"))
    }

    package static func logEntry(_ columns: some StoredColumns) throws -> AlertLogEntry {
        var row = RowReader(columns, table: "alert_log")
        _ = try row.id()
        var entry = AlertLogEntry(
            alertID: try row.int64(required: "alert_id"), at: try row.date(required: "at"),
            action: try row.value(required: "action", as: EventAction.self),
            change: try row.value(required: "change", as: AlertTransition.Change.self),
            actor: try row.string("actor"), note: try row.string("note"), summary: try row.string("summary"))
        entry.silenced = try row.flag("silenced")
        return entry
    }

    package static func escalation(_ columns: some StoredColumns) throws -> EscalationState {
        let alertID = try RowReader(columns, table: "escalations").int64(required: "alert_id")
        let row = RowReader(columns, table: "escalations", row: "\(alertID)/\(try columns.string("route") ?? "?")")
        var state = EscalationState(
            alertID: alertID, policy: try row.string(required: "policy"), route: try row.string(required: "route"),
            position: Int(try row.int64(required: "position")), dueAt: try row.date(required: "due_at"), startedAt: try row.date(required: "started_at"),
            acknowledged: try row.flag("acknowledged"))
        state.silenced = try row.flag("silenced")
        state.event = try event(row)
        state.holdsFirstPage = try row.flag("holds_first_page")
        state.resolvedBeforeFirstPage = try row.flag("resolved_before_first_page")
        return state
    }

    /// An open row's place: `dedup_key` (its alert's), `id`, `alert_id`, `action`, `channel`,
    /// `recipient`.
    package static func outboxPlace(_ columns: some StoredColumns) throws -> OutboxPlace {
        var row = RowReader(columns, table: "outbox")
        return OutboxPlace(dedupKey: try row.string(required: "dedup_key"), id: try row.id(), alertID: try row.int64(required: "alert_id"),
                           action: try row.value(required: "action", as: EventAction.self),
                           target: OutboxTarget(channel: try row.string(required: "channel"), recipient: try row.string("recipient")))
    }

    package static func outboxRow(_ columns: some StoredColumns) throws -> OutboxRow {
        var row = RowReader(columns, table: "outbox")
        let id = try row.id()
        var problems: [String] = []
        var digestOf: [Int64] = []
        if let text = try row.string("digest") {
            do { digestOf = try JSONDecoder().decode([Int64].self, from: Data(text.utf8)) } catch { problems.append("its digest's alert ids are unreadable (\(text.prefix(80)))") }
        }
        let event = try event(row)
        if event == nil, try row.string("event") != nil { problems.append("its event is unreadable; the message is built from the alert") }
        var item = OutboxItem(
            id: id, alertID: try row.int64(required: "alert_id"), route: try row.string("route"),
            target: OutboxTarget(channel: try row.string(required: "channel"), recipient: try row.string("recipient")),
            position: try row.int64("position").map(Int.init), action: try row.value(required: "action", as: EventAction.self),
            createdAt: try row.date(required: "created_at"), digestOf: digestOf, event: event)
        if !problems.isEmpty { item.problem = "outbox item \(item.id): " + problems.joined(separator: "; ") }
        let state: OutboxRow.State
        switch try row.string(required: "state") {
        case "pending": state = .pending(notBefore: try row.date("not_before"))
        case "claimed": state = .claimed(owner: try row.string(required: "lease_owner"), until: try row.date(required: "lease_until"))
        case "done": state = .done(outcome: try row.string(required: "outcome"))
        case let other: throw StoreDecodingError(table: "outbox", column: "state", row: "\(id)", problem: "\(quoted(String(other.prefix(40)))) is not a known value")
        }
        return OutboxRow(item: item, state: state)
    }

    package static func delivery(_ columns: some StoredColumns, alertID: Int64) throws -> DeliveryRecord {
        var row = RowReader(columns, table: "deliveries")
        let id = try row.id()
        let attempts: [DeliveryReport.Attempt]
        do {
            attempts = try JSONDecoder.notify().decode([AttemptJSON].self, from: Data((try row.string("attempts") ?? "[]").utf8)).map(\.attempt)
        } catch let error as StoreDecodingError {
            throw error
        } catch {
            // Said in the timeline, not skipped: the delivery happened, its details are lost.
            attempts = [.init(startedAt: try row.date(required: "at"),
                              outcome: .permanent(reason: "stored attempts of delivery \(id) are unreadable: \(error)"))]
        }
        return DeliveryRecord(alertID: alertID, report: DeliveryReport(channel: try row.string(required: "channel"), recipient: try row.string("recipient"),
                                                                        attempts: attempts))
    }

    package static func silence(_ columns: some StoredColumns) throws -> SilenceRow {
        var row = RowReader(columns, table: "silences")
        let id = try row.id()
        // Text that is not a JSON list of strings is kept as one matcher the engine cannot parse,
        // so the silence is reported and silences nothing.
        let text = try row.string("matchers") ?? ""
        let matchers = (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? [text]
        return SilenceRow(id: id, matchers: matchers, startsAt: try row.date(required: "starts_at"),
                          endsAt: try row.date(required: "ends_at"), comment: try row.string("comment"), createdBy: try row.string("created_by"))
    }

    package static func change(_ columns: some StoredColumns) throws -> ChangeEvent {
        var row = RowReader(columns, table: "changes")
        let id = try row.id()
        var details = (try? JSONParser.parse(Array((try row.string("details") ?? "{}").utf8)))?.objectValue
            ?? ["notify_error": .string("the stored details of this change are unreadable")]
        let links = (try? JSONParser.parse(Array((try row.string("links") ?? "[]").utf8))).flatMap(StoredJSON.links)
        if links == nil { details["notify_error"] = .string("the stored links of this change are unreadable") }
        return ChangeEvent(id: id, summary: try row.string(required: "summary"), source: try row.string("source"), at: try row.date(required: "at"),
                           environment: try row.string("environment"), details: details, links: links ?? [])
    }

    package static func override(_ columns: some StoredColumns) throws -> ScheduleOverride {
        var row = RowReader(columns, table: "schedule_overrides")
        return ScheduleOverride(id: try row.id(), schedule: try row.string(required: "schedule"), member: try row.string(required: "member"),
                                from: try row.date(required: "starts_at"), until: try row.date(required: "ends_at"),
                                createdBy: try row.string("created_by"), createdAt: try row.date(required: "created_at"))
    }

    package static func changeDetailsText(_ change: ChangeEvent) -> String { JSONValue.object(change.details).compactJSON }
    package static func changeLinksText(_ change: ChangeEvent) -> String { StoredJSON.encode(change.links).compactJSON }

    package static func beat(_ columns: some StoredColumns, name: String) throws -> BeatRow {
        let row = RowReader(columns, table: "heartbeats", row: name)
        return BeatRow(name: name, lastBeat: try row.date("last_beat"), firstSeen: try row.date(required: "first_seen"))
    }

    package static func instance(_ columns: some StoredColumns) throws -> InstanceRow {
        let owner = try RowReader(columns, table: "instances").string(required: "owner")
        let row = RowReader(columns, table: "instances", row: owner)
        return InstanceRow(owner: owner, role: try row.string(required: "role"), startedAt: try row.date(required: "started_at"),
                           lastSeen: try row.date(required: "last_seen"))
    }

    package static func contactPage(_ columns: some StoredColumns, contact: String) throws -> ContactPage {
        let row = RowReader(columns, table: "contact_pages", row: contact)
        return ContactPage(contact: contact, alertID: try row.int64(required: "alert_id"), at: try row.date(required: "at"))
    }

    package static func heldPage(_ columns: some StoredColumns, contact: String) throws -> HeldPage {
        let row = RowReader(columns, table: "storm_held", row: contact)
        return HeldPage(contact: contact, alertID: try row.int64(required: "alert_id"), channel: try row.string(required: "channel"),
                        at: try row.date(required: "at"), digestAt: try row.date(required: "digest_at"))
    }

    /// A time of a ledger table (`throttle_sends.at`).
    package static func time(_ columns: some StoredColumns, table: String, column: String, key: String) throws -> Date {
        try RowReader(columns, table: table, row: key).date(required: column)
    }
}
