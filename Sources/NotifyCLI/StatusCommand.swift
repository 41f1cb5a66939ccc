import Alerting
import AlertingConfig
import AlertingSQLite
import AlertingPostgres
import ArgumentParser
import Foundation

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the notify instances running on the state, what each holds, and whether work is overdue.",
        discussion: "Exit 0; 69 when work is overdue (nothing runs it), so a monitoring check can call it.")

    @OptionGroup var common: CommonOptions
    @Option(help: "text or json.")
    var output: OutputFormat = .text

    func run() async throws {
        try await common.withRuntime(configOptional: true) { runtime in
            let status = try await runtime.notifier.status()
            if output == .json {
                Output.json(status)
            } else {
                let location = StateLocation.resolve(flag: common.state, environment: ProcessInfo.processInfo.environment, configured: runtime.config.statePath)
                Output.line(Self.text(status, state: StateLocation.redacted(location), shared: runtime.notifier.sharesState))
            }
            return status.overdueSince == nil ? .success : ExitStatus.unavailable
        }
    }

    static func text(_ status: NotifyStatus, state: String, shared: Bool) -> String {
        let now = status.now
        var lines = ["state:     \(state) (\(shared ? "PostgreSQL, shared by every instance" : "SQLite file"))"]
        let live = status.liveInstances
        lines.append("instances: " + (live.isEmpty ? "none running (notify daemon, serve or watch; or notify tick from cron)" : "\(live.count) running"))
        for instance in status.instances {
            var line = "  \(instance.owner)  \(instance.role)  up since \(Timeline.time(instance.startedAt)), last seen \(Timeline.relative(instance.lastSeen, to: now))"
            line += ", holds \(counted(instance.holding, "page"))"
            if instance.runsSingletonWork { line += ", runs the detectors and digests" }
            if !instance.live { line += "  NOT REPORTING" }
            lines.append(line)
        }
        for (owner, count) in status.heldElsewhere.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(owner)  (not running as an instance)  holds \(counted(count, "page")); taken back when its lease ends")
        }
        lines.append("outbox:    \(counted(status.pendingPages, "page")) waiting")
        if let overdue = status.overdueSince {
            lines.append("next due:  OVERDUE since \(Timeline.time(overdue)) (\(Timeline.relative(overdue, to: now)))" + (live.isEmpty ? "; nothing is running to do it" : ""))
        } else if let next = status.nextDue {
            lines.append("next due:  \(Timeline.time(next)) (\(Timeline.relative(next, to: now)))")
        } else {
            lines.append("next due:  nothing scheduled")
        }
        return lines.joined(separator: "\n")
    }
}
