import Alerting
import AlertingConfig
import AlertingSQLite
import ArgumentParser

struct HeartbeatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "heartbeat",
        abstract: "Record a heartbeat's beat (a dead-man's switch): `backup.sh && notify heartbeat nightly-backup`; without a name, list the heartbeats.",
        discussion: "A heartbeat in `heartbeats:` that misses its interval plus grace raises a heartbeat_missed alert; the next beat resolves it.")

    @OptionGroup var common: CommonOptions
    @Argument(help: "The heartbeat's name in the config; none lists every heartbeat with its last beat and deadline.")
    var name: String?
    @Option(help: "For the list: text or json.")
    var output: OutputFormat = .text

    func run() async throws {
        guard let name else { return try await list() }
        try await common.withRuntime { runtime in
            guard runtime.config.heartbeats[name] != nil else {
                // A beat nothing watches would be recorded for nobody: a typo in a backup
                // script's last line must fail loudly, not succeed quietly every night.
                let known = runtime.config.heartbeats.keys.sorted()
                Diagnostics.error("no heartbeat named \"\(name)\" in the config" + (known.isEmpty ? " (it has none)" : "; known: \(known.joined(separator: ", "))"))
                return ExitStatus.usage
            }
            let result = try await runtime.notifier.beat(name)
            if result.transition.change == .resolved, let alert = result.alert {
                Output.line("heartbeat \(name) recorded; alert \(alert.id) resolved")
            } else {
                Output.line("heartbeat \(name) recorded")
            }
            result.reports.forEach { Diagnostics.report($0) }
            return ExitStatus.forDeliveries(result.reports.map(\.outcome))
        }
    }

    /// Each heartbeat: when it last beat, when it is due, whether it is missed now.
    private func list() async throws {
        try await common.withRuntime { runtime in
            let readings = try await runtime.notifier.heartbeatReadings()
            if output == .json {
                Output.json(readings)
                return .success
            }
            guard !readings.isEmpty else {
                Diagnostics.info("no heartbeats in the config")
                return .success
            }
            let now = runtime.notifier.clock.now()
            let width = readings.map(\.name.count).max() ?? 0
            for reading in readings {
                var line = reading.name.padding(toLength: width, withPad: " ", startingAt: 0)
                line += "  every \(DurationParser.format(reading.interval)) + \(DurationParser.format(reading.grace))"
                line += "  last beat " + (reading.lastBeat.map { "\(Timeline.time($0)) (\(Timeline.relative($0, to: now)))" } ?? "never")
                if let alert = reading.openAlert {
                    line += "  MISSED: alert #\(alert) open"
                } else if let deadline = reading.deadline {
                    line += deadline > now ? "  due by \(Timeline.time(deadline)) (\(Timeline.relative(deadline, to: now)))"
                                           : "  overdue since \(Timeline.time(deadline)); raised at the next check"
                } else {
                    line += "  not watched yet (a daemon, serve or tick starts the clock)"
                }
                Output.line(line)
            }
            return .success
        }
    }
}
