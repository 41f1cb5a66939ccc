import Foundation

/// A stored row as the row decoders read it. SQLite's rows and PostgreSQL's both answer these,
/// so how a row becomes an alert, an outbox item or a timeline entry (and what a damaged
/// column turns into) is written once for every SQL store.
package protocol StoredColumns {
    func string(_ column: String) -> String?
    func double(_ column: String) -> Double?
    func int64(_ column: String) -> Int64?
    /// A yes/no column (an integer in SQLite, a boolean in PostgreSQL).
    func flag(_ column: String) -> Bool
}

extension StoredColumns {
    package func date(_ column: String) -> Date? { double(column).map { Date(timeIntervalSince1970: $0) } }
    package func requiredDate(_ column: String) -> Date { date(column) ?? Date(timeIntervalSince1970: 0) }
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
    static func event(_ row: some StoredColumns) -> AlertEvent? {
        row.string("event").flatMap(StoredJSON.event)
    }

    package static func alert(_ row: some StoredColumns) -> Alert {
        // Damaged details or links are shown as such (in show, in every message), not dropped.
        var details = (try? JSONParser.parse(Array((row.string("details") ?? "{}").utf8)))?.objectValue
            ?? ["notify_error": .string("the stored details of this alert are unreadable")]
        let links: [Link]
        if let decoded = (try? JSONParser.parse(Array((row.string("links") ?? "[]").utf8))).flatMap(StoredJSON.links) {
            links = decoded
        } else {
            links = []
            details["notify_error"] = .string("the stored links of this alert are unreadable")
        }
        return Alert(
            id: row.int64("id") ?? 0, dedupKey: row.string("dedup_key") ?? "", kind: row.string("kind").flatMap(AlertKind.init(rawValue:)) ?? .unspecified,
            severity: row.string("severity").flatMap(Severity.init(rawValue:)) ?? .error, environment: row.string("environment"), source: row.string("source"),
            summary: row.string("summary") ?? "", status: row.string("status").flatMap(AlertStatus.init(rawValue:)) ?? .triggered,
            firstSeen: row.requiredDate("first_seen"), lastSeen: row.requiredDate("last_seen"),
            count: Int(row.int64("count") ?? 1), details: details, links: links)
    }

    package static func logEntry(_ row: some StoredColumns) -> AlertLogEntry {
        var entry = AlertLogEntry(
            alertID: row.int64("alert_id") ?? 0, at: row.requiredDate("at"),
            action: row.string("action").flatMap(EventAction.init(rawValue:)) ?? .trigger,
            change: row.string("change").flatMap(AlertTransition.Change.init(rawValue:)) ?? .deduplicated,
            actor: row.string("actor"), note: row.string("note"), summary: row.string("summary"))
        entry.silenced = row.flag("silenced")
        return entry
    }

    package static func escalation(_ row: some StoredColumns) -> EscalationState {
        var state = EscalationState(
            alertID: row.int64("alert_id") ?? 0, policy: row.string("policy") ?? "", route: row.string("route") ?? "",
            position: Int(row.int64("position") ?? 0), dueAt: row.requiredDate("due_at"), startedAt: row.requiredDate("started_at"),
            acknowledged: row.flag("acknowledged"))
        state.silenced = row.flag("silenced")
        state.event = event(row)
        state.holdsFirstPage = row.flag("holds_first_page")
        state.resolvedBeforeFirstPage = row.flag("resolved_before_first_page")
        return state
    }

    package static func outboxRow(_ row: some StoredColumns) -> OutboxRow {
        var problems: [String] = []
        var digestOf: [Int64] = []
        if let text = row.string("digest") {
            do { digestOf = try JSONDecoder().decode([Int64].self, from: Data(text.utf8)) } catch { problems.append("its digest's alert ids are unreadable (\(text.prefix(80)))") }
        }
        let event = event(row)
        if event == nil, row.string("event") != nil { problems.append("its event is unreadable; the message is built from the alert") }
        var item = OutboxItem(
            id: row.int64("id") ?? 0, alertID: row.int64("alert_id") ?? 0, route: row.string("route"),
            target: OutboxTarget(channel: row.string("channel") ?? "", recipient: row.string("recipient")),
            position: row.int64("position").map(Int.init), action: row.string("action").flatMap(EventAction.init(rawValue:)) ?? .trigger,
            createdAt: row.requiredDate("created_at"), digestOf: digestOf, event: event)
        if !problems.isEmpty { item.problem = "outbox item \(item.id): " + problems.joined(separator: "; ") }
        let state: OutboxRow.State
        switch row.string("state") {
        case "claimed": state = .claimed(owner: row.string("lease_owner") ?? "", until: row.requiredDate("lease_until"))
        case "done": state = .done(outcome: row.string("outcome") ?? "permanent")
        default: state = .pending(notBefore: row.date("not_before"))
        }
        return OutboxRow(item: item, state: state)
    }

    package static func delivery(_ row: some StoredColumns, alertID: Int64) -> DeliveryRecord {
        let attempts: [DeliveryReport.Attempt]
        do {
            attempts = try JSONDecoder.notify().decode([AttemptJSON].self, from: Data((row.string("attempts") ?? "[]").utf8)).map(\.attempt)
        } catch {
            // Said in the timeline, not skipped: the delivery happened, its details are lost.
            attempts = [.init(startedAt: row.requiredDate("at"),
                              outcome: .permanent(reason: "stored attempts of delivery \(row.int64("id") ?? 0) are unreadable: \(error)"))]
        }
        return DeliveryRecord(alertID: alertID, report: DeliveryReport(channel: row.string("channel") ?? "", recipient: row.string("recipient"), attempts: attempts))
    }

    package static func silence(_ row: some StoredColumns) -> SilenceRow {
        // Text that is not a JSON list of strings is kept as one matcher the engine cannot parse,
        // so the silence is reported and silences nothing.
        let text = row.string("matchers") ?? ""
        let matchers = (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? [text]
        return SilenceRow(id: row.int64("id") ?? 0, matchers: matchers, startsAt: row.requiredDate("starts_at"),
                          endsAt: row.requiredDate("ends_at"), comment: row.string("comment"), createdBy: row.string("created_by"))
    }

    package static func beat(_ row: some StoredColumns, name: String) -> BeatRow {
        BeatRow(name: name, lastBeat: row.date("last_beat"), firstSeen: row.requiredDate("first_seen"))
    }

    package static func instance(_ row: some StoredColumns) -> InstanceRow {
        InstanceRow(owner: row.string("owner") ?? "", role: row.string("role") ?? "", startedAt: row.requiredDate("started_at"), lastSeen: row.requiredDate("last_seen"))
    }

    package static func heldPage(_ row: some StoredColumns, contact: String) -> HeldPage {
        HeldPage(contact: contact, alertID: row.int64("alert_id") ?? 0, channel: row.string("channel") ?? "",
                 at: row.requiredDate("at"), digestAt: row.requiredDate("digest_at"))
    }
}
