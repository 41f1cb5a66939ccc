import Alerting
import AlertingConfig
import AlertingSQLite
import ArgumentParser

struct RouteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "route",
        abstract: "Work with routes.",
        subcommands: [Test.self]
    )

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "test",
            abstract: "Show what an event would do, without sending or recording anything.",
            discussion: """
                Prints every route in order with whether it matches (and which matcher did not), \
                the policy that would run, and every notification it would send: when, through \
                which channel, to whom. An open alert with the same dedup key means the event \
                would page nobody, and says so.
                """
        )

        @OptionGroup var common: CommonOptions
        @OptionGroup var event: EventFlags
        @Option(help: "text or json.")
        var output: OutputFormat = .text

        func validate() throws { try event.requireEvent() }

        func run() async throws {
            var flags = event
            if flags.summary == nil { flags.summary = "(route test)" }  // routes never look at it
            try await common.withRuntime { runtime in
                switch flags.decode() {
                case .failure(let error):
                    Diagnostics.error(EventFlags.describe(error))
                    return ExitStatus.dataError
                case .success(let event):
                    let explanation = try await runtime.notifier.explain(event)
                    if output == .json { Output.json(explanation) } else { Output.line(explanation.text) }
                    return .success
                }
            }
        }
    }
}
