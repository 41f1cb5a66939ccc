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

    static func text(_ status: NotifyStatus, state: String, shared: Bool) -> String { status.text(state: state, shared: shared) }
}
