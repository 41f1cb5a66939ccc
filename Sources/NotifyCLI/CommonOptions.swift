import Alerting
import AlertingConfig
import AlertingSQLite
import AlertingPostgres
import ArgumentParser
import Foundation
import Logging

/// Options every command that loads the config takes.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Config file (default: $NOTIFY_CONFIG, ./notify.yaml, /etc/notify/notify.yaml).")
    var config: String?

    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .notice

    @Option(name: .long, help: "State file (default: $NOTIFY_STATE, `state:` in the config, $XDG_STATE_HOME/notify/state.db or ~/.local/state/notify/state.db; :memory: for none).")
    var state: String?

    /// Sends swift-log's lines to standard error, at the chosen level. Call once, first.
    func bootstrapLogging() -> Logger {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "notify")
    }

    /// Loads and validates the config, or exits 78 with the error.
    /// - Parameter strict: an unset `${VARIABLE}` in a channel is a config error (`config
    ///   check`); otherwise that channel alone is unavailable, said once on standard error.
    /// - Parameter optional: with no config anywhere (no `--config`, `$NOTIFY_CONFIG`,
    ///   `./notify.yaml` or `/etc/notify/notify.yaml`), go on with an empty one: reading the
    ///   state (`list`, `show`, `status`) needs none.
    func loadConfig(strict: Bool = false, optional: Bool = false) throws -> (path: String, config: NotifyConfig) {
        do {
            let loader = ConfigLoader(registry: Notify.registry, deferUnsetSecrets: !strict)
            let path: String
            do {
                path = try loader.locate(explicitPath: config)
            } catch where optional {
                return ("", NotifyConfig(channels: [:], routes: []))
            }
            let loaded = try loader.load(path: path)
            for channel in loaded.channels.values.sorted(by: { $0.name < $1.name }) {
                if let reason = channel.unavailableReason {
                    Diagnostics.warning("channel \(channel.name) cannot deliver (\(reason)); everything else works")
                }
            }
            return (path, loaded)
        } catch let error as ConfigError {
            for problem in error.all { Diagnostics.error("config error: \(problem)") }
            throw ExitStatus.configError
        }
    }

    /// What most commands do: set up logging, build the runtime, run `body`, shut down, and
    /// exit with the status `body` returns.
    ///
    /// - Parameter deliverWithoutState: when the state file cannot be opened, page anyway with
    ///   state in memory (no dedup against earlier runs), say so loudly, and exit 74 after
    ///   delivering: a full disk on the failover host must not silence the failover page.
    /// - Parameter logsActivity: a long-running command logs each alert opened, acknowledged or
    ///   resolved and each page placed or failed (``ActivityLog``); the others print what they
    ///   did themselves, and would otherwise say it twice.
    func withRuntime(deliverWithoutState: Bool = false, waitForState: Bool = false, console: ConsoleOutput = .standardOutput, configOptional: Bool = false,
                     logsActivity: Bool = false, _ body: (NotifyRuntime) async throws -> ExitCode) async throws {
        let logger = bootstrapLogging()
        let runtime = try await makeRuntime(logger: logger, deliverWithoutState: deliverWithoutState, waitForState: waitForState, console: console,
                                            configOptional: configOptional, logsActivity: logsActivity)
        let status = await runtime.run(body)
        if deliverWithoutState, stateUnavailable != nil {
            Diagnostics.error("the state file could not be opened (see above): delivered without state; fix it, then check `notify list`")
            throw ExitStatus.ioError
        }
        if status != .success { throw status }
    }

    /// Set when the state file could not be opened and the command went on without it.
    private var stateUnavailable: String? { StateFallback.reason.withLock { $0 } }

    /// Builds the runtime from the config and opens the state store, or exits 78 (config) or
    /// 74 (state file, or a PostgreSQL database that does not answer).
    ///
    /// - Parameter waitForState: a long-running command (serve, daemon, watch) waits for a
    ///   PostgreSQL database that does not answer yet, retrying with backoff, instead of exiting.
    func makeRuntime(logger: Logger, metrics: NotifyMetrics = NotifyMetrics(), deliverWithoutState: Bool = false, waitForState: Bool = false,
                     console: ConsoleOutput = .standardOutput, configOptional: Bool = false, logsActivity: Bool = false) async throws -> NotifyRuntime {
        let (_, config) = try loadConfig(optional: configOptional)
        let path = StateLocation.resolve(flag: state, environment: ProcessInfo.processInfo.environment, configured: config.statePath)
        let store: any AlertStore
        StateFallback.location.withLock { $0 = StateLocation.redacted(path) }
        do {
            store = try await StateStores.open(path, waiting: waitForState, logger: logger)
        } catch let error as PostgresStoreError {
            if case .badLocation = error {
                Diagnostics.error("state: \(error)")
                throw ExitStatus.configError
            }
            Diagnostics.error("state \(StateLocation.redacted(path)): \(error)")
            guard deliverWithoutState else { throw ExitStatus.ioError }
            Diagnostics.error("DELIVERING WITHOUT STATE: no dedup against earlier runs, no escalation after this run; the exit status will be 74")
            StateFallback.reason.withLock { $0 = "\(error)" }
            store = MemoryAlertStore()
        } catch {
            Diagnostics.error("state file \(path): \(StateLocation.describe(error))")
            guard deliverWithoutState else { throw ExitStatus.ioError }
            Diagnostics.error("DELIVERING WITHOUT STATE: no dedup against earlier runs, no escalation after this run; the exit status will be 74")
            StateFallback.reason.withLock { $0 = "\(error)" }
            store = MemoryAlertStore()
        }
        do {
            var activityLogger = logger
            if !logsActivity, logger.logLevel > .debug { activityLogger.logLevel = .critical }
            return try await NotifyRuntime(config: config, store: store, console: console, metrics: metrics, logger: logger, activityLogger: activityLogger)
        } catch {
            Diagnostics.error("config error: \(error)")
            throw ExitStatus.configError
        }
    }
}

/// Whether this process went on without its state file.
enum StateFallback {
    static let reason = LockedBox<String?>(nil)
    /// The state this process opened, as it may be shown (a password hidden): an error that
    /// comes out of the store later names it.
    static let location = LockedBox<String?>(nil)
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// Lines for people, on standard error, prefixed `notify:`.
enum Diagnostics {
    static func error(_ message: String) { write("notify: \(message)\n") }
    static func warning(_ message: String) { write("notify: warning: \(message)\n") }
    static func info(_ message: String) { write("notify: \(message)\n") }

    /// One line for a delivery that did not go out (alert id first).
    @Sendable static func reportFailure(_ delivery: OutboxDelivery) {
        if !delivery.report.outcome.isDelivered { report(delivery.report, prefix: "alert \(delivery.item.alertID): ") }
    }

    /// One line for one delivery: `ops-slack: delivered (1 attempt)`,
    /// `twilio-sms to alice: not delivered, permanent failure (1 attempt): Twilio 21211 ...`.
    static func report(_ report: DeliveryReport, prefix: String = "") {
        let attempts = report.attempts.count == 1 ? "1 attempt" : "\(report.attempts.count) attempts"
        let destination = prefix + report.destination
        switch report.outcome {
        case .delivered:
            info("\(destination): delivered (\(attempts))")
        case .retryable(let reason, _):
            error("\(destination): not delivered, can be retried (\(attempts)): \(reason)")
        case .permanent(let reason):
            error("\(destination): not delivered, permanent failure (\(attempts)): \(reason)")
        case .throttled:
            info("\(destination): \(report.outcome.reason ?? "throttled"); the next message to them carries it in a digest")
        }
    }

    private static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// `1 line`, `2 lines`: a count and its noun, in the right number.
func counted(_ count: Int, _ noun: String) -> String { Timeline.counted(count, noun) }

/// Standard output, for results.
enum Output {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func json(_ value: some Encodable) {
        guard let data = try? JSONEncoder.notify().encode(value) else { return }
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

extension NotifyRuntime {
    /// Runs `body`, then shuts the runtime down whatever happened (an HTTP client must be shut
    /// down before it goes away), and turns a store failure into exit 74.
    func run(_ body: (NotifyRuntime) async throws -> ExitCode) async -> ExitCode {
        let status: ExitCode
        do {
            status = try await body(self)
        } catch {
            // A store error (a full disk, a database gone): the state is named, and what it
            // holds is not lost; pages it owes go out once it can be written again.
            let state = StateFallback.location.withLock { $0 }.map { "state \($0): " } ?? ""
            Diagnostics.error("\(state)\(error)")
            // Waiting, and held by claims (this process's among them: it could not give them back).
            // Bounded: a database that stopped answering must not hold the exit.
            let notifier = notifier
            if let status = try? await withDeadline(.seconds(2), { try await notifier.status() }),
               case let owed = status.pendingPages + status.heldElsewhere.values.reduce(0, +) + status.instances.map(\.holding).reduce(0, +), owed > 0 {
                Diagnostics.error("\(counted(owed, "page")) not recorded as sent (some may have gone out): the next notify run sends them once it can write")
            }
            status = ExitStatus.ioError
        }
        do {
            try await shutdown()
        } catch {
            Diagnostics.warning("shutting down the HTTP client: \(error)")
        }
        return status
    }
}
