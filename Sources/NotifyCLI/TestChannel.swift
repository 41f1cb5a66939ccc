import Alerting
import AlertingConfig
import AlertingSQLite
import ArgumentParser

struct TestChannel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Send a test notification through one channel.",
        discussion: "Exit 0 when it was delivered, 69 or 75 when it was not."
    )

    @OptionGroup var common: CommonOptions

    @Argument(help: "The channel's name in the config.")
    var channel: String

    @Option(help: "The contact to reach, for SMS and voice channels.")
    var to: String?

    func run() async throws {
        let logger = common.bootstrapLogging()
        let runtime = try await common.makeRuntime(logger: logger)
        guard runtime.config.channels[channel] != nil else {
            _ = await runtime.run { _ in .success }
            Diagnostics.error("no channel named \"\(channel)\" (channels: \(runtime.config.channels.keys.sorted().joined(separator: ", ")))")
            throw ExitStatus.usage
        }
        if to == nil, runtime.notifier.channels[channel]?.medium != nil {
            _ = await runtime.run { _ in .success }
            Diagnostics.error("channel \(channel) reaches people: name one with --to CONTACT (contacts: \(runtime.config.contacts.keys.sorted().joined(separator: ", ")))")
            throw ExitStatus.usage
        }
        var recipient: Contact?
        if let to {
            guard let contact = runtime.config.contacts[to] else {
                _ = await runtime.run { _ in .success }
                Diagnostics.error("no contact named \"\(to)\" (contacts: \(runtime.config.contacts.keys.sorted().joined(separator: ", ")))")
                throw ExitStatus.usage
            }
            recipient = contact
        }
        let status = await runtime.run { runtime in
            let report = await runtime.notifier.sendTest(channel: channel, to: recipient)
            let attempts = report.attempts.count == 1 ? "1 attempt" : "\(report.attempts.count) attempts"
            switch report.outcome {
            case .delivered:
                Output.line("\(report.destination): delivered (\(attempts))")
            case .retryable(let reason, _), .permanent(let reason):
                Output.line("\(report.destination): not delivered, \(report.outcome.label) failure (\(attempts)): \(reason)")
            case .throttled:
                Output.line("\(report.destination): \(report.outcome.reason ?? "throttled")")
            }
            return ExitStatus.forDeliveries([report.outcome])
        }
        if status != .success { throw status }
    }
}
