import Alerting
import AlertingConfig
import AlertingSQLite
import AlertingConfig
import ArgumentParser

/// The `notify` command line. `Sources/notify/main.swift` runs it; a program of your own can too,
/// after registering its own channel types and detectors (``main(registry:)``).
public struct Notify: AsyncParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "notify",
        abstract: "On-call alerting: dedup, route and deliver alerts to Slack, webhooks and the console.",
        discussion: """
            Exit codes follow sysexits: 0 ok, 64 usage, 65 bad input data, 69 a delivery failed \
            permanently, 75 a delivery failed and can be retried, 78 config error.
            """,
        version: NotifyVersion.current,
        subcommands: [Send.self, Watch.self, Tick.self, Daemon.self, Serve.self, Acknowledge.self, Resolve.self, List.self, Show.self, RouteCommand.self, OnCall.self, SilenceCommand.self, HeartbeatCommand.self, ChangeCommand.self, StatusCommand.self, ConfigCommand.self, TestChannel.self, PasswordCommand.self]
    )
}

extension Notify {
    /// Parses the process's arguments and runs the command they name, exiting with its status.
    /// (What `AsyncParsableCommand.main()` does; called by name, so that top-level code never
    /// picks the synchronous `main()`, which refuses an asynchronous command.)
    public static func runFromCommandLine() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

extension Notify {
    /// The channel types and detectors config files may name in this process.
    static var registry: ConfigRegistry { installedRegistry.withLock { $0 } }
    private static let installedRegistry = LockedBox(ConfigRegistry.standard)

    /// Runs notify's command line with `registry`'s channel types and detectors: what a program
    /// of your own calls after registering its own, to be a notify that knows them (every
    /// command, from `config check` to `serve`, reads config files through it).
    ///
    /// ```swift
    /// var registry = ConfigRegistry.standard
    /// registry.register(DiscordSettings.type)
    /// await Notify.main(registry: registry)
    /// ```
    public static func main(registry: ConfigRegistry) async {
        installedRegistry.withLock { $0 = registry }
        await runFromCommandLine()
    }
}
