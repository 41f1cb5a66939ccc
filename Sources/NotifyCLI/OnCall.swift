import Alerting
import AlertingConfig
import AlertingSQLite
import ArgumentParser
import Foundation

struct OnCall: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oncall",
        abstract: "Who is on call now (or at a time), and the next shifts.")

    @OptionGroup var common: CommonOptions
    @Argument(help: "The schedule (default: every schedule).")
    var schedule: String?
    @Option(help: "An RFC 3339 time to ask about instead of now, e.g. 2026-12-24T20:00:00-05:00.")
    var at: String?
    @Option(help: "How many shifts to list from then.")
    var next: Int = 3
    @Option(help: "text or json.")
    var output: OutputFormat = .text

    struct Answer: Encodable {
        var schedule: String
        var timezone: String
        var at: Date
        var onCall: [String]
        var shifts: [OnCallSchedule.OnCallShift]

        enum CodingKeys: String, CodingKey {
            case schedule, timezone, at, onCall = "on_call", shifts
        }
    }

    func run() async throws {
        var date = Date()
        if let at {
            guard let parsed = try? Date(at, strategy: Date.ISO8601FormatStyle()) else {
                throw ValidationError("--at \(at): expected an RFC 3339 time such as 2026-12-24T20:00:00-05:00")
            }
            date = parsed
        }
        try await common.withRuntime { runtime in
            // The overrides people added (the console's on-call page) are in the state.
            let schedules = try await runtime.notifier.onCallSchedules(overridesEndingAfter: date)
            let names = schedule.map { [$0] } ?? schedules.keys.sorted()
            if names.isEmpty { Diagnostics.info("no schedules in the config") }
            var answers: [Answer] = []
            for name in names {
                guard let found = schedules[name] else {
                    Diagnostics.error("no schedule named \"\(name)\" (schedules: \(schedules.keys.sorted().joined(separator: ", ")))")
                    return ExitStatus.usage
                }
                answers.append(Answer(schedule: name, timezone: found.timeZone.identifier, at: date, onCall: found.onCall(at: date),
                                      shifts: found.upcoming(from: date, count: max(1, next))))
            }
            print(answers)
            return .success
        }
    }

    private func print(_ answers: [Answer]) {
        if output == .json {
            Output.json(answers)
            return
        }
        for answer in answers {
            let zone = TimeZone(identifier: answer.timezone) ?? .gmt
            let style = Date.ISO8601FormatStyle(timeZone: zone)
            let who = answer.onCall.isEmpty ? "nobody" : answer.onCall.joined(separator: ", ")
            Output.line("\(answer.schedule) (\(answer.timezone)): \(who) on call at \(answer.at.formatted(style))")
            for shift in answer.shifts {
                let members = shift.members.isEmpty ? "nobody" : shift.members.joined(separator: ", ")
                Output.line("  \(shift.start.formatted(style)) to \(shift.end.formatted(style))  \(members)\(shift.source == "override" ? " (override)" : "")")
            }
        }
    }
}
