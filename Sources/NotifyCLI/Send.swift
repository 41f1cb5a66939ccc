import Alerting
import AlertingConfig
import AlertingSQLite
import ArgumentParser
import Foundation

struct Send: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send one event (from flags, or NDJSON on stdin with --json) and deliver it now.",
        discussion: """
            Prints the alert id on standard output (one per event), or with --output json one \
            object per event: {"id", "dedup_key", "status", "new", "change", "route", "deliveries"}.
            """
    )

    @OptionGroup var common: CommonOptions

    @OptionGroup var event: EventFlags
    @Flag(help: "Read the event(s) as NDJSON from standard input instead of flags.")
    var json = false
    @Option(help: "text (the alert id) or json.")
    var output: OutputFormat = .text

    func validate() throws {
        if json, event.isGiven {
            throw ValidationError("--json reads the event from stdin; do not combine it with event flags")
        }
        if !json { try event.requireEvent(" (or pass --json and the event on stdin)") }
    }

    func run() async throws {
        let events = try events()
        // With --output json, standard output is the JSON alone: console pages go to standard error.
        let console: ConsoleOutput = output == .json ? .standardError : .standardOutput
        try await common.withRuntime(deliverWithoutState: true, console: console) { runtime in
            var sent: [AlertEvent] = []
            do {
                return try await send(events, through: runtime.notifier, sent: &sent)
            } catch let error where !(error is ExitCode) {
                // The state failed under us (a full disk): the events not known to have been
                // paged are paged now without it, as when it cannot be opened at all.
                let state = StateFallback.location.withLock { $0 }.map { "state \($0): " } ?? ""
                Diagnostics.error("\(state)\(error)")
                Diagnostics.error("DELIVERING WITHOUT STATE: no dedup against earlier runs, no escalation after this run; the exit status will be 74")
                let unsent = events.filter { item in
                    guard case .success(let event) = item else { return false }
                    return !sent.contains { $0.dedupKey == event.dedupKey && $0.action == event.action }
                }
                let fallback = try await NotifyRuntime(config: runtime.config, console: console, logger: runtime.notifier.logger)
                var ignored: [AlertEvent] = []
                _ = await fallback.run { try await send(unsent, through: $0.notifier, sent: &ignored) }
                return ExitStatus.ioError
            }
        }
    }

    /// - Parameter sent: the events whose pages were decided, as they are.
    private func send(_ events: [Result<AlertEvent, EventValidationError>], through notifier: Notifier, sent: inout [AlertEvent]) async throws -> ExitCode {
        var statuses: [ExitCode] = []
        var invalid = false
        for item in events {
            switch item {
            case .failure(let error):
                Diagnostics.error(json ? error.description : EventFlags.describe(error))
                invalid = true
            case .success(let event):
                let result = try await notifier.process(event)
                sent.append(event)
                report(result)
                statuses.append(ExitStatus.forDeliveries(result.reports.map(\.outcome)))
                statuses.append(ExitStatus.forPages(result.pages))
            }
        }
        try? await warnIfNobodyRunsWhatIsDue(notifier)
        return invalid ? ExitStatus.dataError : ExitStatus.worst(statuses)
    }

    /// Later steps, retries and digests need a running notify: say so when none runs.
    private func warnIfNobodyRunsWhatIsDue(_ notifier: Notifier) async throws {
        let schedule = try await notifier.schedule()
        guard let next = schedule.nextDue, schedule.runners.isEmpty else { return }
        let now = notifier.clock.now()
        let when = next <= now ? "overdue since \(Timeline.time(next)) (\(Timeline.relative(next, to: now)))" : "due at \(Timeline.time(next)) (\(Timeline.relative(next, to: now)))"
        Diagnostics.warning("more work is \(when): a later escalation step, a retry or a digest; no notify daemon, serve or watch is running on this state to do it. Run `notify daemon` (or `notify tick` from cron every minute); see README.md")
    }

    private func events() throws -> [Result<AlertEvent, EventValidationError>] {
        let decoder = EventDecoder()
        guard json else { return [decoder.decode(.object(event.jsonObject()))] }
        let input = FileHandle.standardInput.readDataToEndOfFile()
        var splitter = LineSplitter()
        var lines = splitter.feed(input)
        if let last = splitter.finish() { lines.append(last) }
        var results: [Result<AlertEvent, EventValidationError>] = []
        for line in lines {
            switch line {
            case .tooLong(let number, let limit):
                results.append(.failure(EventValidationError(line: number, problems: [.init(field: nil, "line longer than \(limit) bytes")])))
            case .text(let number, let bytes):
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                results.append(decoder.decode(bytes, line: number))
            }
        }
        if results.isEmpty {
            results.append(.failure(EventValidationError(problems: [.init(field: nil, "no event on standard input")])))
        }
        return results
    }

    private func report(_ result: ProcessingResult) {
        if output == .json {
            Output.json(ProcessingResultJSON(result))
        } else if let alert = result.alert {
            Output.line(String(alert.id))
        }
        let key = result.transition.event.dedupKey
        switch result.transition.change {
        case .unknownKey:
            Diagnostics.warning("no open alert with dedup key \"\(key)\"; nothing to \(result.transition.event.action.rawValue)")
        case .deduplicated:
            let id = result.alert?.id ?? 0, seen = "seen \(result.alert?.count ?? 0) times"
            switch result.pages {
            case .inFlight?:
                Diagnostics.error("alert \(id) is already open (\(seen)); its page is still being sent")
            case .pending(let retryAt)?:
                Diagnostics.error("alert \(id) is already open (\(seen)), but its page has not reached anyone yet" + (retryAt.map { "; next try at \(Timeline.time($0))" } ?? ""))
            case .failed(let reason)?:
                Diagnostics.error("alert \(id) is already open (\(seen)), but every page of its current step failed: \(reason)")
            case .reached?, .notPaged?, nil:
                Diagnostics.info("alert \(id) is already open (\(seen)); not notifying again")
            }
        default:
            break
        }
        if result.unrouted {
            Diagnostics.warning("alert \(result.alert?.id ?? 0): no route matches it; nobody was notified")
        }
        for report in result.reports {
            Diagnostics.report(report)
        }
        for transition in result.detected {
            guard let alert = transition.alert else { continue }
            Diagnostics.info("alert \(alert.id) \(transition.change == .opened ? "opened" : "resolved") by a detector (\(alert.kind)): \(alert.summary)")
        }
        for other in result.otherDeliveries {
            Diagnostics.report(other.report, prefix: "alert \(other.item.alertID) (due meanwhile): ")
        }
    }
}
