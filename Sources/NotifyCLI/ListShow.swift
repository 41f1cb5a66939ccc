import Alerting
import AlertingConfig
import AlertingSQLite
import ArgumentParser
import Foundation

extension AlertStatusFilter: ExpressibleByArgument {}

struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List alerts, newest first.")

    @OptionGroup var common: CommonOptions
    @Option(help: "triggered, acknowledged, resolved, open or all.")
    var status: AlertStatusFilter = .open
    @Option(help: "text or json.")
    var output: OutputFormat = .text

    func run() async throws {
        try await common.withRuntime(configOptional: true) { runtime in
            let standings = try await runtime.notifier.standings(statuses: status.statuses)
            if output == .json {
                Output.json(standings)
            } else if standings.isEmpty {
                // Where it looked: a mistyped --state must not read as "all quiet".
                Diagnostics.info("no \(status == .all ? "" : status.rawValue + " ")alerts in \(StateLocation.redacted(StateLocation.resolve(flag: common.state, environment: ProcessInfo.processInfo.environment, configured: runtime.config.statePath)))")
            } else {
                for line in AlertText.table(standings, now: runtime.notifier.clock.now()).lines() { Output.line(line) }
            }
            return .success
        }
    }
}

struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an alert and its timeline: events, deliveries and every attempt.")

    @OptionGroup var common: CommonOptions
    @Argument(help: "The alert's id.")
    var id: Int64
    @Option(help: "text or json.")
    var output: OutputFormat = .text

    func run() async throws {
        try await common.withRuntime(configOptional: true) { runtime in
            guard let standing = try await runtime.notifier.standing(alertID: id) else {
                Diagnostics.error("there is no alert #\(id)")
                return ExitStatus.dataError
            }
            let timeline = try await runtime.notifier.timeline(alertID: id)
            let changes = try await runtime.notifier.changes(before: standing.alert)
            if output == .json {
                Output.json(AlertWithTimeline(standing: standing, timeline: timeline.entries, changes: changes.map(ChangeJSON.init)))
                return .success
            }
            let now = runtime.notifier.clock.now()
            var nobodyToRunIt: String?
            if let next = standing.nextDue, try await runtime.notifier.schedule().runners.isEmpty {
                nobodyToRunIt = (next > now ? "no notify daemon is running to do it" : "nothing is running to do it") + " (notify daemon, or notify tick)"
            }
            for line in AlertText.details(standing, now: now, nobodyToRunIt: nobodyToRunIt) { Output.line(line) }
            if !changes.isEmpty {
                // "What changed before this broke": the first question of an incident.
                Output.line("changes in the hour before it opened:")
                for change in changes { Output.line("  " + ChangeJSON.text(change, alert: standing.alert)) }
            }
            Output.line("timeline:")
            for entry in timeline.entries { Output.line("  " + entry.text) }
            return .success
        }
    }

    /// The alert, where it stands (the keys `notify list --output json` adds), and its timeline.
    struct AlertWithTimeline: Encodable {
        var standing: AlertStanding
        var timeline: [Timeline.Entry]
        var changes: [ChangeJSON]

        enum CodingKeys: String, CodingKey { case alert, timeline, changes }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(standing.alert, forKey: .alert)
            try container.encode(timeline, forKey: .timeline)
            try container.encode(changes, forKey: .changes)
            try standing.encodeStanding(to: encoder)
        }
    }
}

/// How alerts read in a terminal.
enum AlertText {
    /// `notify list`: one row per alert, newest first.
    static func table(_ standings: [AlertStanding], now: Date) -> TextTable {
        var table = TextTable("ID", "STATUS", "SEVERITY", "AGE", "LAST SEEN", "SEEN", "ACKED BY", "STEP", "NEXT", "KIND", "WHERE", "SUMMARY")
        for standing in standings {
            let alert = standing.alert
            table.append([
                "\(alert.id)", alert.status.rawValue, alert.severity.rawValue,
                Timeline.age(now.timeIntervalSince(alert.firstSeen)),
                Timeline.age(now.timeIntervalSince(alert.lastSeen)) + " ago",
                "\(alert.count)", standing.acknowledgedBy ?? "-",
                standing.step.map { "\($0.number)/\($0.of)" } ?? "-",
                standing.nextDue.map { $0 > now ? "in " + Timeline.age($0.timeIntervalSince(now)) : "overdue " + Timeline.age(now.timeIntervalSince($0)) } ?? "-",
                alert.kind.rawValue, "\(alert.environment ?? "-")/\(alert.source ?? "-")", alert.summary,
            ])
        }
        return table
    }

    /// `notify show`: the alert, where it stands, and who was paged and how, in order.
    static func details(_ standing: AlertStanding, now: Date, nobodyToRunIt: String?) -> [String] {
        let alert = standing.alert
        func when(_ date: Date) -> String { "\(Timeline.time(date)) (\(Timeline.relative(date, to: now)))" }
        var lines = [
            "alert #\(alert.id): \(alert.summary)",
            "  status:       \(alert.status.rawValue)" + (standing.acknowledgedBy.map { " by \($0)" } ?? "")
                + (standing.acknowledgedAt.map { " at \(when($0))" } ?? ""),
            "  severity:     \(alert.severity.rawValue)",
            "  kind:         \(alert.kind.rawValue)",
            "  environment:  \(alert.environment ?? "-")",
            "  source:       \(alert.source ?? "-")",
            "  dedup key:    \(alert.dedupKey)",
            "  seen:         \(counted(alert.count, "time")), first \(when(alert.firstSeen)), last \(when(alert.lastSeen))",
        ]
        for key in alert.details.keys.sorted() { lines.append("  \(key): \(alert.details[key]?.displayText ?? "")") }
        for link in alert.links { lines.append("  link: \(link.text.map { "\($0) " } ?? "")\(link.href)") }
        if let step = standing.step { lines.append("  escalation:   \(step.note)") }
        if let next = standing.nextStep {
            var line = next > now ? "  next step:    at \(when(next))" : "  next step:    overdue since \(when(next))"
            if let nobodyToRunIt, next == standing.nextDue { line += "; " + nobodyToRunIt }
            lines.append(line)
        }
        if let next = standing.nextDue, next != standing.nextStep {
            var line = next > now ? "  next retry:   at \(when(next))" : "  next retry:   overdue since \(when(next))"
            if let nobodyToRunIt { line += "; " + nobodyToRunIt }
            lines.append(line)
        }
        if !standing.pages.isEmpty {
            lines.append("paged, in order:")
            for (number, page) in standing.pages.enumerated() {
                var line = "  \(number + 1). \(Timeline.time(page.at))  \(page.destination)"
                if page.resolveNotice { line += " (resolve notice)" }
                line += ": \(page.outcome)"
                if let reason = page.reason { line += " (\(reason))" }
                if page.attempts > 1 { line += ", \(counted(page.attempts, "attempt"))" }
                if let nextTry = page.nextTry { line += "; next try \(nextTry > now ? "at" : "overdue since") \(when(nextTry))" }
                lines.append(line)
            }
        }
        return lines
    }
}

/// A change event as `notify show` prints it.
struct ChangeJSON: Encodable {
    var id: Int64
    var at: Date
    var summary: String
    var source: String?
    var environment: String?
    var details: [String: JSONValue]
    var links: [Link]

    init(_ change: ChangeEvent) {
        id = change.id
        at = change.at
        summary = change.summary
        source = change.source
        environment = change.environment
        details = change.details
        links = change.links
    }

    /// `09:12:03Z (48m before) api v1.4.2 deployed [ci, prod-eu] https://ci.example.com/run/981`
    static func text(_ change: ChangeEvent, alert: Alert) -> String {
        let before = alert.firstSeen.timeIntervalSince(change.at)
        let when = before >= 0 ? "\(Timeline.age(before)) before" : "\(Timeline.age(-before)) after"
        let origin = [change.source, change.environment].compactMap { $0 }
        return "\(Timeline.time(change.at)) (\(when)) \(change.summary)" + (origin.isEmpty ? "" : " [\(origin.joined(separator: ", "))]")
            + change.links.map { " " + $0.href }.joined()
    }
}
