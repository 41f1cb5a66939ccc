import Alerting
import AlertingConfig
import AlertingSQLite
import ArgumentParser
import Foundation
import ServiceLifecycle

struct Watch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Read NDJSON events from standard input, delivering as they arrive.",
        discussion: """
            Each line is one event (notify's format or a PagerDuty Events v2 body). A bad line \
            is reported on standard error with its line number and field, and the stream goes \
            on. When the input ends, what is due is delivered and a summary goes to standard \
            error; with --keep-running notify then stays up and runs escalations until SIGTERM. \
            Exit 0 when every line was valid, 65 when some were not; otherwise 69 or 75 when a \
            delivery failed.
            """
    )

    @OptionGroup var common: CommonOptions

    @Option(help: "Print the closing summary as text or json (json goes to standard output).")
    var summary: OutputFormat = .text

    @Flag(help: "After the input ends, keep running escalations until SIGTERM or SIGINT.")
    var keepRunning = false

    func run() async throws {
        // With a JSON summary, standard output is for that document alone: console pages go to
        // standard error.
        try await common.withRuntime(deliverWithoutState: true, console: summary == .json ? .standardError : .standardOutput, logsActivity: true) { runtime in
            let processor = EventStreamProcessor(
                notifier: runtime.notifier,
                onInvalidLine: { Diagnostics.error($0.description) },
                onIngested: { line, result in
                    if result.transition.change == .unknownKey {
                        Diagnostics.warning("line \(line): no open alert with dedup key \"\(result.transition.event.dedupKey)\"; nothing to \(result.transition.event.action.rawValue)")
                    }
                })
            let outcome = Outcome<StreamSummary>()
            let stop = StopSignal()
            try await Lifecycle.run([WatchService(processor: processor, keepRunning: keepRunning, stop: stop, outcome: outcome)], logger: runtime.notifier.logger)
            let owed = stop.isStopped ? try await Lifecycle.sayWhatIsOwed(runtime.notifier) : 0
            guard let totals = outcome.value else { return owed > 0 ? ExitStatus.tempFailure : .success }  // stopped before the input was read
            switch summary {
            case .json: Output.json(totals)
            case .text: Diagnostics.info(Self.describe(totals))
            }
            if totals.invalidLines > 0 { return ExitStatus.dataError }
            if totals.failedPermanently > 0 { return ExitStatus.unavailable }
            if totals.failedRetryable > 0 || owed > 0 { return ExitStatus.tempFailure }
            return .success
        }
    }

    /// Reads standard input through the processor; with `keepRunning`, then runs escalations.
    /// SIGTERM stops reading and delivering: an attempt on the wire finishes, the rest goes
    /// back to the outbox for the next run.
    struct WatchService: Service {
        let processor: EventStreamProcessor
        let keepRunning: Bool
        let stop: StopSignal
        let outcome: Outcome<StreamSummary>

        func run() async throws {
            try await withGracefulShutdownHandler {
                outcome.set(try await processor.run(FileDescriptorLines(descriptor: 0), stop: stop))
                if keepRunning, !stop.isStopped {
                    Diagnostics.info("input ended; running escalations until SIGTERM")
                    try await processor.notifier.runContinuously(role: "watch", stop: stop)
                }
            } onGracefulShutdown: {
                stop.stop()
            }
        }
    }

    static func describe(_ totals: StreamSummary) -> String {
        "watch: \(counted(totals.lines, "line")), \(counted(totals.events, "event")), \(totals.invalidLines) invalid; "
            + "alerts: \(totals.opened) opened, \(totals.deduplicated) deduplicated, \(totals.acknowledged) acknowledged, "
            + "\(totals.resolved) resolved, \(counted(totals.unknownKeys, "unknown key")), \(totals.unrouted) unrouted; "
            + "deliveries: \(totals.delivered) delivered, \(counted(totals.failedRetryable, "retryable failure")), "
            + "\(counted(totals.failedPermanently, "permanent failure")), \(totals.throttled) throttled"
    }
}

struct Tick: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tick",
        abstract: "Run every escalation step and delivery that is due, then exit (for cron).",
        discussion: "Exit 0, or 69 / 75 when a delivery failed.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        try await common.withRuntime { runtime in
            let delivered = try await runtime.notifier.runDue()
            delivered.forEach(Diagnostics.reportFailure)
            let ok = delivered.filter { $0.report.outcome.isDelivered }.count
            Diagnostics.info("tick: \(delivered.count) deliveries, \(ok) delivered")
            return ExitStatus.forDeliveries(delivered.map(\.report.outcome))
        }
    }
}

struct Daemon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Run escalations and deliveries until SIGTERM or SIGINT (no standard input).",
        discussion: """
            Steps fire within a second of their due time. On SIGTERM notify stops within the delivery timeout: an attempt \
            on the wire finishes, a page waiting to retry goes back to the outbox for the next run or another instance. \
            Exit 0 when nothing is owed, 75 when pages are left in the outbox.
            """)

    @OptionGroup var common: CommonOptions

    func run() async throws {
        try await common.withRuntime(waitForState: true, logsActivity: true) { runtime in
            let scheduler = SchedulerService(notifier: runtime.notifier, deadManSwitch: runtime.deadManSwitch)
            try await Lifecycle.run([scheduler], logger: runtime.notifier.logger)
            return try await Lifecycle.sayWhatIsOwed(runtime.notifier) > 0 ? ExitStatus.tempFailure : .success
        }
    }
}
