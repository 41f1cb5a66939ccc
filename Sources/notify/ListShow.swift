import Alerting
import ArgumentParser
import Foundation

enum StatusFilter: String, ExpressibleByArgument, CaseIterable {
    case triggered, acknowledged, resolved, open, all

    var statuses: Set<AlertStatus> {
        switch self {
        case .triggered: [.triggered]
        case .acknowledged: [.acknowledged]
        case .resolved: [.resolved]
        case .open: [.triggered, .acknowledged]
        case .all: Set(AlertStatus.allCases)
        }
    }
}

struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List alerts, newest first.")

    @OptionGroup var common: CommonOptions
    @Option(help: "triggered, acknowledged, resolved, open or all.")
    var status: StatusFilter = .open
    @Option(help: "text or json.")
    var output: OutputFormat = .text

    func run() async throws {
        try await common.withRuntime(configOptional: true) { runtime in
            let alerts = try await runtime.notifier.store.alerts(statuses: status.statuses)
            if output == .json {
                Output.json(alerts)
            } else if alerts.isEmpty {
                Diagnostics.info("no \(status == .all ? "" : status.rawValue + " ")alerts")
            } else {
                for alert in alerts { Output.line(AlertText.line(alert)) }
            }
            return .success
        }
    }
}

struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show an alert and its timeline: events, deliveries and every attempt.")

    @OptionGroup var common: CommonOptions
    @Argument(help: "The alert's id.")
    var id: Int64
    @Option(help: "text or json.")
    var output: OutputFormat = .text

    func run() async throws {
        try await common.withRuntime(configOptional: true) { runtime in
            guard let alert = try await runtime.notifier.store.alert(id: id) else {
                Diagnostics.error("there is no alert #\(id)")
                return ExitStatus.dataError
            }
            let timeline = try await Timeline.load(alertID: id, from: runtime.notifier.store)
            let nextDue = try await runtime.notifier.store.nextDue(alertID: id)
            if output == .json {
                Output.json(AlertWithTimeline(alert: alert, nextDue: nextDue, timeline: timeline.entries))
            } else {
                Output.line(AlertText.details(alert))
                if let nextDue {
                    let now = runtime.notifier.clock.now()
                    let runners = try await runtime.notifier.schedule().runners
                    var line = nextDue > now
                        ? "  next step:   at \(Timeline.time(nextDue)) (\(Timeline.relative(nextDue, to: now)))"
                        : "  next step:   overdue since \(Timeline.time(nextDue)) (\(Timeline.relative(nextDue, to: now)))"
                    if runners.isEmpty { line += "; no notify daemon is running to do it (notify daemon, or notify tick)" }
                    Output.line(line)
                }
                Output.line("timeline:")
                for entry in timeline.entries { Output.line("  " + entry.text) }
            }
            return .success
        }
    }

    struct AlertWithTimeline: Encodable {
        var alert: Alert
        var nextDue: Date?
        var timeline: [Timeline.Entry]

        enum CodingKeys: String, CodingKey {
            case alert, nextDue = "next_due", timeline
        }
    }
}

/// How alerts read in a terminal.
enum AlertText {
    static func line(_ alert: Alert) -> String {
        let status = alert.status.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)
        let severity = alert.severity.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
        return "#\(alert.id)\t\(status) \(severity) \(alert.kind.rawValue) \(alert.environment ?? "-")/\(alert.source ?? "-") ×\(alert.count)  \(alert.summary)"
    }

    static func details(_ alert: Alert) -> String {
        var lines = [
            "alert #\(alert.id): \(alert.summary)",
            "  status:      \(alert.status.rawValue)",
            "  severity:    \(alert.severity.rawValue)",
            "  kind:        \(alert.kind.rawValue)",
            "  environment: \(alert.environment ?? "-")",
            "  source:      \(alert.source ?? "-")",
            "  dedup key:   \(alert.dedupKey)",
            "  seen:        \(alert.count) times, first \(Timeline.time(alert.firstSeen)), last \(Timeline.time(alert.lastSeen))",
        ]
        for key in alert.details.keys.sorted() { lines.append("  \(key): \(alert.details[key]?.displayText ?? "")") }
        for link in alert.links { lines.append("  link: \(link.text.map { "\($0) " } ?? "")\(link.href)") }
        return lines.joined(separator: "\n")
    }
}
