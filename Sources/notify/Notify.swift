import Alerting
import ArgumentParser

@main
struct Notify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify",
        abstract: "On-call alerting: dedup, route and deliver alerts to Slack, webhooks and the console.",
        discussion: """
            Exit codes follow sysexits: 0 ok, 64 usage, 65 bad input data, 69 a delivery failed \
            permanently, 75 a delivery failed and can be retried, 78 config error.
            """,
        version: NotifyVersion.current,
        subcommands: [Send.self, Watch.self, Tick.self, Daemon.self, Serve.self, Acknowledge.self, Resolve.self, List.self, Show.self, RouteCommand.self, OnCall.self, SilenceCommand.self, HeartbeatCommand.self, StatusCommand.self, ConfigCommand.self, TestChannel.self]
    )
}
