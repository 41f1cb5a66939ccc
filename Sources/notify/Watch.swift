import Alerting
import ArgumentParser
import Foundation

struct Watch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read NDJSON events from standard input until it ends, delivering as they arrive.",
        discussion: """
            Each line is one event (notify's format or a PagerDuty Events v2 body). A bad line \
            is reported on standard error with its line number and field, and the stream goes \
            on. At the end, in-flight deliveries finish and a summary goes to standard error. \
            Exit 0 when every line was valid, 65 when some were not; otherwise 69 or 75 when a \
            delivery failed permanently or could be retried.
            """
    )

    @OptionGroup var common: CommonOptions

    @Option(help: "Print the closing summary as text or json (json goes to standard output).")
    var summary: OutputFormat = .text

    func run() async throws {
        let logger = common.bootstrapLogging()
        let runtime = try common.makeRuntime(logger: logger)
        let status = await runtime.run { runtime in
            let processor = EventStreamProcessor(
                notifier: runtime.notifier,
                maxConcurrentDeliveries: runtime.config.delivery.maxConcurrent,
                onInvalidLine: { Diagnostics.error($0.description) },
                onIngested: { line, result in
                    if result.transition.change == .unknownKey {
                        Diagnostics.warning("line \(line): no open alert with dedup key \"\(result.transition.event.dedupKey)\"; nothing to \(result.transition.event.action.rawValue)")
                    }
                    if result.unrouted, let alert = result.transition.alert {
                        Diagnostics.warning("line \(line): alert \(alert.id): no route matches it; nobody was notified")
                    }
                },
                onDelivered: { planned, report in
                    if !report.outcome.isDelivered {
                        Diagnostics.report(report, prefix: "alert \(planned.alert.id): ")
                    }
                })
            let totals = try await processor.run(FileDescriptorLines(descriptor: 0))
            switch summary {
            case .json: Output.json(totals)
            case .text: Diagnostics.info(Self.describe(totals))
            }
            if totals.invalidLines > 0 { return ExitStatus.dataError }
            if totals.failedPermanently > 0 { return ExitStatus.unavailable }
            if totals.failedRetryable > 0 { return ExitStatus.tempFailure }
            return .success
        }
        if status != .success { throw status }
    }

    static func describe(_ totals: StreamSummary) -> String {
        "watch: \(totals.lines) lines, \(totals.events) events, \(totals.invalidLines) invalid; "
            + "alerts: \(totals.opened) opened, \(totals.deduplicated) deduplicated, \(totals.acknowledged) acknowledged, "
            + "\(totals.resolved) resolved, \(totals.unknownKeys) unknown keys, \(totals.unrouted) unrouted; "
            + "deliveries: \(totals.delivered) delivered, \(totals.failedRetryable) retryable failures, \(totals.failedPermanently) permanent failures, \(totals.throttled) throttled"
    }
}
