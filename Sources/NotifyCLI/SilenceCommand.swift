import Alerting
import AlertingConfig
import AlertingSQLite
import ArgumentParser
import Foundation

struct SilenceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "silence",
        abstract: "Silence alerts that match: recorded, but nobody is paged until the silence ends.",
        subcommands: [Add.self, ListSilences.self, Expire.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add a silence. Prints its id.",
            discussion: "Example: notify silence add --match environment=staging --match kind=health_check_failure --for 2h --comment \"load test\"")

        @OptionGroup var common: CommonOptions
        @Option(name: .customLong("match"), help: ArgumentHelp("A matcher, as in routes: environment=staging, kind!=heartbeat, source=~db-.* (repeatable; all must match).", valueName: "matcher"))
        var matchers: [String] = []
        @Option(name: .customLong("for"), help: "How long, from now (or from --starts): 30m, 2h, 1d.")
        var duration: String?
        @Option(help: "When it ends instead (RFC 3339).")
        var until: String?
        @Option(help: "When it starts (RFC 3339; default now).")
        var starts: String?
        @Option(help: "Why, for everyone who reads `notify silence list`.")
        var comment: String?
        @Option(help: "Who.")
        var by: String?

        func validate() throws {
            if matchers.isEmpty { throw ValidationError("give at least one --match (a silence that matches everything is too easy to forget)") }
            if (duration == nil) == (until == nil) { throw ValidationError("give --for or --until") }
        }

        func run() async throws {
            var parsed: [RouteMatcher] = []
            for text in matchers {
                do {
                    parsed.append(try RouteMatcher.parse(text))
                } catch {
                    throw ValidationError("--match \(text): \(error.message)")
                }
            }
            let start = try starts.map { try Self.time($0, flag: "--starts") } ?? Date()
            let end: Date
            if let duration {
                guard let length = DurationParser.parse(duration), length > .zero else { throw ValidationError("--for \(duration): expected \(DurationParser.syntax)") }
                end = start + length.timeInterval
            } else {
                end = try Self.time(until ?? "", flag: "--until")
            }
            guard end > start else { throw ValidationError("the silence would end before it starts") }
            try await common.withRuntime { runtime in
                let silence = try await runtime.notifier.addSilence(Silence(matchers: parsed, startsAt: start, endsAt: end, comment: comment, createdBy: by))
                Output.line(String(silence.id))
                Diagnostics.info("silence \(silence.id): \(parsed.map(\.description).joined(separator: " ")) until \(end.formatted(Date.ISO8601FormatStyle()))")
                return .success
            }
        }

        static func time(_ text: String, flag: String) throws -> Date {
            guard let date = try? Date(text, strategy: Date.ISO8601FormatStyle()) else {
                throw ValidationError("\(flag) \(text): expected an RFC 3339 time such as 2026-11-24T18:00:00Z")
            }
            return date
        }
    }

    struct ListSilences: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Silences that are active or to come (--all: every one).")

        @OptionGroup var common: CommonOptions
        @Flag(help: "Include silences that are over.")
        var all = false
        @Option(help: "text or json.")
        var output: OutputFormat = .text

        func run() async throws {
            try await common.withRuntime { runtime in
                let now = runtime.notifier.clock.now()
                let (silences, unreadable) = try await runtime.notifier.silences(notEndedAt: all ? nil : now)
                // A stored silence notify cannot read silences nothing: say so, never hide it.
                for problem in unreadable { Diagnostics.error("\(problem)") }
                if output == .json {
                    Output.json(silences)
                } else if silences.isEmpty {
                    Diagnostics.info("no silences")
                }
                guard output == .text else { return .success }
                for silence in silences {
                    let state = silence.endsAt <= now ? "over" : silence.startsAt > now ? "to come" : "active"
                    let style = Date.ISO8601FormatStyle()
                    Output.line("#\(silence.id)\t\(state)\t\(silence.matchers.map(\.description).joined(separator: " "))  \(silence.startsAt.formatted(style)) to \(silence.endsAt.formatted(style))"
                                + (silence.createdBy.map { "  by \($0)" } ?? "") + (silence.comment.map { "  \"\($0)\"" } ?? ""))
                }
                return .success
            }
        }
    }

    struct Expire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "expire", abstract: "End a silence now; its alerts escalate within a minute.")

        @OptionGroup var common: CommonOptions
        @Argument(help: "The silence's id.")
        var id: Int64

        func run() async throws {
            try await common.withRuntime { runtime in
                guard try await runtime.notifier.expireSilence(id: id) else {
                    Diagnostics.error("no active or coming silence #\(id)")
                    return ExitStatus.dataError
                }
                Output.line("silence \(id) expired")
                return .success
            }
        }
    }
}
