import Alerting
import ArgumentParser
import Foundation

struct Send: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
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
        try await common.withRuntime { try await send(through: $0.notifier) }
    }

    private func send(through notifier: Notifier) async throws -> ExitCode {
        var outcomes: [DeliveryOutcome] = []
        var invalid = false
        for item in try events() {
            switch item {
            case .failure(let error):
                Diagnostics.error(json ? error.description : EventFlags.describe(error))
                invalid = true
            case .success(let event):
                let result = try await notifier.process(event)
                report(result)
                outcomes += result.reports.map(\.outcome)
            }
        }
        return invalid ? ExitStatus.dataError : ExitStatus.forDeliveries(outcomes)
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
            Diagnostics.info("alert \(result.alert?.id ?? 0) is already open (seen \(result.alert?.count ?? 0) times); not notifying again")
        default:
            break
        }
        if result.unrouted {
            Diagnostics.warning("alert \(result.alert?.id ?? 0): no route matches it; nobody was notified")
        }
        for report in result.reports {
            Diagnostics.report(report)
        }
    }
}
