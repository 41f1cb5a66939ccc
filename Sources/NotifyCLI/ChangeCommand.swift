import Alerting
import AlertingConfig
import ArgumentParser
import Foundation

/// `notify change`: records a change event from a script (a deploy, a config push), as
/// PagerDuty's change events do. It pages nobody; `notify show` lists it beside an alert that
/// opened within the hour after it.
struct ChangeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "change",
        abstract: "Record a change (a deploy, a config push): pages nobody; `notify show` lists the changes of the hour before an alert opened.",
        discussion: "deploy.sh && notify change --summary \"api v1.4.2 deployed\" --source ci --env prod-eu --link https://ci.example.com/run/981")

    @OptionGroup var common: CommonOptions
    @Option(help: "What changed (required).")
    var summary: String
    @Option(help: "What made the change (a CI job, a host).")
    var source: String?
    @Option(name: .customLong("env"), help: "The environment it changed; none: it concerns every alert.")
    var environment: String?
    @Option(help: "When it happened, RFC 3339 (default: now).")
    var timestamp: String?
    @Option(name: .customLong("detail"), help: ArgumentHelp("A detail as key=value (repeatable).", valueName: "key=value"))
    var details: [String] = []
    @Option(name: .customLong("link"), help: ArgumentHelp("A link as URL or URL=text (repeatable).", valueName: "url[=text]"))
    var links: [String] = []
    @Option(help: "text or json.")
    var output: OutputFormat = .text

    func validate() throws {
        for detail in details where !detail.contains("=") { throw ValidationError("--detail \(detail): expected key=value") }
    }

    func run() async throws {
        try await common.withRuntime { runtime in
            switch ChangeEventDecoder().decode(payload(), receivedAt: runtime.notifier.clock.now()) {
            case .failure(let error):
                let flags = ["payload.summary": "--summary", "payload.source": "--source", "payload.timestamp": "--timestamp", "links": "--link"]
                Diagnostics.error(error.problems.map { problem in
                    let field = problem.field ?? ""
                    let flag = flags.first { field.hasPrefix($0.key) }?.value ?? (field.hasPrefix("payload.custom_details") ? "--detail" : field)
                    return "\(flag): \(problem.message)"
                }.joined(separator: "; "))
                return ExitStatus.dataError
            case .success(var change):
                if let environment { change.environment = environment }
                let recorded = try await runtime.notifier.recordChange(change)
                if output == .json {
                    Output.json(["id": recorded.id])
                } else {
                    Output.line("change \(recorded.id) recorded")
                }
                return .success
            }
        }
    }

    /// The flags as a PagerDuty change event, read by the same decoder as `/v2/change/enqueue`.
    private func payload() -> JSONValue {
        var payload: [String: JSONValue] = ["summary": .string(summary)]
        payload["source"] = source.map(JSONValue.string)
        payload["timestamp"] = timestamp.map(JSONValue.string)
        payload["custom_details"] = EventFlags.detailsJSON(details)
        var object: [String: JSONValue] = ["payload": .object(payload)]
        object["links"] = EventFlags.linksJSON(links)
        return .object(object)
    }
}
