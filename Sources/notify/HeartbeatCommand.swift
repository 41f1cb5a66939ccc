import Alerting
import ArgumentParser

struct HeartbeatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "heartbeat",
        abstract: "Record a heartbeat's beat (a dead-man's switch): `backup.sh && notify heartbeat nightly-backup`.",
        discussion: "A heartbeat in `heartbeats:` that misses its interval plus grace raises a heartbeat_missed alert; the next beat resolves it.")

    @OptionGroup var common: CommonOptions
    @Argument(help: "The heartbeat's name in the config.")
    var name: String

    func run() async throws {
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
}
