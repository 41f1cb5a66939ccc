import Alerting
import Foundation

/// What each console page shows, made from the same library queries `notify list`, `show`,
/// `oncall`, `silence list`, `heartbeat` and `status` print: one source of truth.
enum ConsoleViews {
    static func alertRow(_ standing: AlertStanding, now: Date, base: String, back: String) -> [String: Any] {
        let alert = standing.alert
        var row: [String: Any] = [
            "id": "\(alert.id)", "summary": alert.summary, "status": alert.status.rawValue, "severity": alert.severity.rawValue,
            "kind": alert.kind.rawValue, "environment": alert.environment ?? "-", "source": alert.source ?? "-",
            "age": Timeline.age(now.timeIntervalSince(alert.firstSeen)), "open": alert.status.isOpen,
            "triggered": alert.status == .triggered, "back": back,
        ]
        if alert.count > 1 { row["repeats"] = "\(alert.count)" }
        if let by = standing.acknowledgedBy { row["acknowledgedBy"] = by }
        if let step = standing.step { row["step"] = "\(step.number)/\(step.of)" }
        if let next = standing.nextDue { row["next"] = next > now ? "in " + Timeline.age(next.timeIntervalSince(now)) : "overdue " + Timeline.age(now.timeIntervalSince(next)) }
        let pages = standing.pages.filter { !$0.resolveNotice }
        if !pages.isEmpty {
            let shown = pages.prefix(3).map { "\($0.destination) (\($0.outcome))" }
            row["paged"] = shown.joined(separator: ", ") + (pages.count > 3 ? " and \(pages.count - 3) more" : "")
        }
        return row
    }

    static func alertDetails(_ standing: AlertStanding, timeline: Timeline, changes: [ChangeEvent], now: Date) -> [String: Any] {
        let alert = standing.alert
        func when(_ date: Date) -> String { "\(Timeline.time(date)) (\(Timeline.relative(date, to: now)))" }
        var values: [String: Any] = [
            "title": "#\(alert.id) \(alert.summary)", "id": "\(alert.id)", "summary": alert.summary, "status": alert.status.rawValue,
            "severity": alert.severity.rawValue, "kind": alert.kind.rawValue, "environment": alert.environment ?? "-",
            "source": alert.source ?? "-", "dedupKey": alert.dedupKey, "open": alert.status.isOpen, "triggered": alert.status == .triggered,
            "seen": "\(Timeline.counted(alert.count, "time")), first \(when(alert.firstSeen)), last \(when(alert.lastSeen))",
            "details": alert.details.keys.sorted().map { ["key": $0, "value": alert.details[$0]?.displayText ?? ""] },
            "links": alert.links.map { link -> [String: Any] in
                var row: [String: Any] = ["text": link.text ?? link.href]
                if WebConsole.isWebLink(link.href) { row["href"] = link.href } else { row["plain"] = link.href }
                return row
            },
            "timeline": timeline.entries.map { ["text": $0.text] },
            "changes": changes.map { ["text": "\(Timeline.time($0.at)) \($0.summary)" + ([$0.source, $0.environment].compactMap { $0 }.isEmpty ? "" : " [\([$0.source, $0.environment].compactMap { $0 }.joined(separator: ", "))]")] },
            "pages": standing.pages.map { page -> [String: Any] in
                var row: [String: Any] = ["at": Timeline.time(page.at), "destination": page.destination, "resolveNotice": page.resolveNotice, "outcome": page.outcome]
                if let reason = page.reason { row["reason"] = reason }
                if page.attempts > 1 { row["attempts"] = "\(page.attempts)" }
                if let next = page.nextTry { row["nextTry"] = when(next) }
                return row
            },
        ]
        values["hasPages"] = !standing.pages.isEmpty
        values["hasChanges"] = !changes.isEmpty
        if let by = standing.acknowledgedBy { values["acknowledgedBy"] = by }
        if let at = standing.acknowledgedAt { values["acknowledgedAt"] = when(at) }
        if let step = standing.step { values["escalation"] = step.note }
        if let next = standing.nextStep { values["nextStep"] = next > now ? "at \(when(next))" : "overdue since \(when(next))" }
        return values
    }

    /// `2026-12-24 20:00` in `zone`.
    static func local(_ date: Date, _ zone: TimeZone) -> String {
        date.formatted(Date.VerbatimFormatStyle(format: "\(year: .defaultDigits)-\(month: .twoDigits)-\(day: .twoDigits) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits)",
                                                timeZone: zone, calendar: Calendar(identifier: .gregorian)))
    }

    /// The value of an `<input type="datetime-local">`: `2026-12-24T20:00` in `zone`.
    static func inputValue(_ date: Date, _ zone: TimeZone) -> String { local(date, zone).replacingOccurrences(of: " ", with: "T") }

    /// Reads a `datetime-local` value as a time in `zone`.
    static func parseInput(_ text: String, _ zone: TimeZone) -> Date? {
        let parts = text.split(whereSeparator: { "-T:".contains($0) }).compactMap { Int($0) }
        guard parts.count >= 5 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4]))
    }

    /// One schedule on the on-call page: now, next, two weeks day by day, and the overrides.
    static func schedule(_ schedule: OnCallSchedule, stored: [ScheduleOverride], contacts: [String], person: String, now: Date,
                         feed: String?) -> [String: Any] {
        let zone = schedule.timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let onCall = schedule.onCall(at: now)
        var values: [String: Any] = ["name": schedule.name, "timezone": zone.identifier,
                                     "now": onCall.isEmpty ? "nobody" : onCall.joined(separator: ", ")]
        if let next = schedule.upcoming(from: now, count: 2).dropFirst().first {
            values["next"] = next.members.isEmpty ? "nobody" : next.members.joined(separator: ", ")
            values["nextAt"] = local(next.start, zone)
            values["nextAtUTC"] = Timeline.time(next.start)
        }
        let today = calendar.startOfDay(for: now)
        values["days"] = (0..<14).compactMap { offset -> [String: Any]? in
            guard let start = calendar.date(byAdding: .day, value: offset, to: today), let end = calendar.date(byAdding: .day, value: 1, to: start) else { return nil }
            let shifts = schedule.shifts(from: start, until: end)
            let who = shifts.map { shift in
                let names = shift.members.isEmpty ? "nobody" : shift.members.joined(separator: ", ")
                let span = shifts.count == 1 ? "" : " \(local(shift.start, zone).suffix(5))–\(shift.end == end ? "24:00" : String(local(shift.end, zone).suffix(5)))"
                return names + span + (shift.source == "override" ? " (override)" : "")
            }.joined(separator: "; ")
            let weekday = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][(calendar.component(.weekday, from: start) + 6) % 7]
            let day = "\(weekday) \(local(start, zone).prefix(10))"
            return ["day": day, "who": who, "override": shifts.contains { $0.source == "override" }]
        }
        let configured = schedule.overrides.count - stored.filter { $0.schedule == schedule.name }.count
        var overrides: [[String: Any]] = schedule.overrides.prefix(max(0, configured)).filter { $0.until > now }.map {
            ["member": $0.member, "from": local($0.from, zone), "until": local($0.until, zone), "fromUTC": Timeline.time($0.from), "untilUTC": Timeline.time($0.until), "stored": false]
        }
        overrides += stored.filter { $0.schedule == schedule.name && $0.until > now }.map { override in
            var row: [String: Any] = ["id": "\(override.id)", "member": override.member, "from": local(override.from, zone), "until": local(override.until, zone),
                                      "fromUTC": Timeline.time(override.from), "untilUTC": Timeline.time(override.until), "stored": true]
            if let by = override.createdBy { row["createdBy"] = by }
            return row
        }
        values["overrides"] = overrides
        values["hasOverrides"] = !overrides.isEmpty
        values["members"] = contacts.map { ["value": $0, "me": $0 == person] }
        let from = calendar.dateInterval(of: .hour, for: now)?.end ?? now
        values["defaultFrom"] = inputValue(from, zone)
        values["defaultUntil"] = inputValue(from + 86_400, zone)
        if let feed { values["feed"] = feed }
        return values
    }

    static func silence(_ silence: Silence, now: Date) -> [String: Any] {
        var row: [String: Any] = ["id": "\(silence.id)", "matchers": silence.matchers.map(\.description).joined(separator: " "),
                                  "startsAt": Timeline.time(silence.startsAt), "endsAt": "\(Timeline.time(silence.endsAt)) (\(Timeline.relative(silence.endsAt, to: now)))",
                                  "stored": silence.id > 0]
        if let comment = silence.comment { row["comment"] = comment }
        if let by = silence.createdBy { row["createdBy"] = by }
        return row
    }

    static func heartbeat(_ reading: HeartbeatReading, now: Date) -> [String: Any] {
        var deadline = "not watched yet (a daemon, serve or tick starts the clock)"
        if let alert = reading.openAlert {
            deadline = "MISSED: alert #\(alert) open"
        } else if let due = reading.deadline {
            deadline = due > now ? "due by \(Timeline.time(due)) (\(Timeline.relative(due, to: now)))" : "overdue since \(Timeline.time(due)); raised at the next check"
        }
        return ["name": reading.name, "every": "\(DurationParser.format(reading.interval)) + \(DurationParser.format(reading.grace))",
                "lastBeat": reading.lastBeat.map { "\(Timeline.time($0)) (\(Timeline.relative($0, to: now)))" } ?? "never",
                "deadline": deadline, "missed": reading.openAlert != nil]
    }
}
