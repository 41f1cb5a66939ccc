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

    @Option(help: "failover, continuous_failure, health_check_failure, or a custom kind [a-z0-9_.-]{1,64}.")
    var kind: String?
    @Option(help: "What happened, in one line (required for a trigger).")
    var summary: String?
    @Option(help: "critical, error, warning or info (default depends on the kind).")
    var severity: String?
    @Option(name: [.customLong("env"), .customLong("environment")], help: "The environment, e.g. prod-us-east.")
    var environment: String?
    @Option(help: "The host or component, e.g. db-primary-1.")
    var source: String?
    @Option(help: "Events with the same key are one alert (default: kind/environment/source).")
    var dedupKey: String?
    @Option(name: .customLong("detail"), help: ArgumentHelp("A detail as key=value (repeatable).", valueName: "key=value"))
    var details: [String] = []
    @Option(name: .customLong("link"), help: ArgumentHelp("A link as URL or URL=text (repeatable).", valueName: "url[=text]"))
    var links: [String] = []
    @Option(help: "trigger, acknowledge or resolve.")
    var action: String?
    @Flag(help: "Read the event(s) as NDJSON from standard input instead of flags.")
    var json = false
    @Option(help: "text (the alert id) or json.")
    var output: OutputFormat = .text

    func validate() throws {
        let eventFlags: [Any?] = [kind, summary, severity, environment, source, dedupKey, action]
        if json, eventFlags.contains(where: { $0 != nil }) || !details.isEmpty || !links.isEmpty {
            throw ValidationError("--json reads the event from stdin; do not combine it with event flags")
        }
        if !json, kind == nil, dedupKey == nil {
            throw ValidationError("--kind is required (or pass --json and the event on stdin)")
        }
        for detail in details where !detail.contains("=") {
            throw ValidationError("--detail \(detail): expected key=value")
        }
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
                Diagnostics.error(json ? error.description : Self.describeForFlags(error))
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
        guard json else { return [decoder.decode(.object(flagObject()))] }
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

    /// The flags as the JSON object a sender would write, so flags and stdin are validated by
    /// the same code.
    private func flagObject() -> [String: JSONValue] {
        var object: [String: JSONValue] = [:]
        object["kind"] = kind.map(JSONValue.string)
        object["summary"] = summary.map(JSONValue.string)
        object["severity"] = severity.map(JSONValue.string)
        object["environment"] = environment.map(JSONValue.string)
        object["source"] = source.map(JSONValue.string)
        object["dedup_key"] = dedupKey.map(JSONValue.string)
        object["action"] = action.map(JSONValue.string)
        if !details.isEmpty {
            var members: [String: JSONValue] = [:]
            for detail in details {
                let parts = detail.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                members[String(parts[0])] = .string(parts.count > 1 ? String(parts[1]) : "")
            }
            object["details"] = .object(members)
        }
        if !links.isEmpty {
            object["links"] = .array(links.map { link in
                let parts = link.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                var members: [String: JSONValue] = ["href": .string(String(parts[0]))]
                if parts.count > 1 { members["text"] = .string(String(parts[1])) }
                return .object(members)
            })
        }
        return object
    }

    /// Names the flag rather than the JSON field: `--severity: "urgent" is not one of ...`.
    static func describeForFlags(_ error: EventValidationError) -> String {
        let flags = ["environment": "--env", "dedup_key": "--dedup-key", "details": "--detail", "links": "--link"]
        return error.problems.map { problem in
            guard let field = problem.field else { return problem.message }
            let root = String(field.prefix { $0 != "." && $0 != "[" })
            return "\(flags[root] ?? "--" + root): \(problem.message)"
        }.joined(separator: "; ")
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
