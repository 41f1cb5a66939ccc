import Alerting
import AlertingConfig
import AlertingSQLite
import ArgumentParser
import Foundation

/// What `notify ack` and `notify resolve` share: which alert, by whom, why.
struct AlertActionOptions: ParsableArguments {
    @Argument(help: "The alert's id (as `notify list` shows it).")
    var id: Int64?
    @Option(help: "Name the alert by its dedup key instead of its id.")
    var dedupKey: String?
    @Option(help: "Who is acting, for the timeline (default: $USER).")
    var by: String?
    @Option(help: "Why, for the timeline.")
    var note: String?
    @Option(help: "text or json.")
    var output: OutputFormat = .text

    func validate() throws {
        if id == nil, dedupKey == nil {
            throw ValidationError("which alert? Give its id (as `notify list` shows it) or --dedup-key KEY")
        }
        if id != nil, dedupKey != nil { throw ValidationError("give an alert id or --dedup-key, not both") }
    }

    func run(_ action: EventAction, common: CommonOptions) async throws {
        try await common.withRuntime { runtime in
            // The timeline always says who: named, or the login running the command.
            let environment = ProcessInfo.processInfo.environment
            let by = by ?? environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? environment["LOGNAME"]
            let result: ProcessingResult
            do {
                if let id {
                    result = action == .acknowledge
                        ? try await runtime.notifier.acknowledge(alertID: id, by: by, note: note)
                        : try await runtime.notifier.resolve(alertID: id, by: by, note: note)
                } else {
                    result = try await runtime.notifier.process(AlertEvent(kind: .unspecified, action: action, dedupKey: dedupKey, actor: by, note: note))
                }
            } catch let error as Notifier.ActionError {
                Diagnostics.error(error.description)
                return ExitStatus.dataError
            }
            if output == .json { Output.json(ProcessingResultJSON(result)) }
            switch result.transition.change {
            case .unknownKey:
                Diagnostics.error("no open alert with dedup key \"\(result.transition.event.dedupKey)\"")
                return ExitStatus.dataError
            case .alreadyAcknowledged:
                if output == .text { Output.line("alert \(result.alert?.id ?? 0) was already acknowledged") }
            default:
                if output == .text, let alert = result.alert { Output.line("alert \(alert.id) \(alert.status.rawValue)") }
            }
            for report in result.reports { Diagnostics.report(report) }
            return ExitStatus.forDeliveries(result.reports.map(\.outcome))
        }
    }
}

struct Acknowledge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ack",
        abstract: "Acknowledge an open alert: someone is on it; it stops escalating.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var options: AlertActionOptions

    func run() async throws { try await options.run(.acknowledge, common: common) }
}

struct Resolve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Resolve an open alert; the next trigger with its key opens a new one.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var options: AlertActionOptions

    func run() async throws { try await options.run(.resolve, common: common) }
}
