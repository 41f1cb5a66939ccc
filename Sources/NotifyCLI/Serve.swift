import Alerting
import AlertingConfig
import AlertingServer
import AlertingSQLite
import ArgumentParser
import Foundation
import Logging
import NIOCore
import Prometheus

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Take events and acknowledgements over HTTP, and run escalations, until SIGTERM or SIGINT.",
        discussion: """
            Endpoints: POST /v1/events, /v1/alertmanager, /v2/enqueue (PagerDuty v2), /twilio/sms, \
            /twilio/voice/gather, /slack/interactions; GET /healthz, /metrics. Needs a server: section \
            in the config (see docs/serve.md). On SIGTERM, requests in flight finish, an attempt on \
            the wire finishes, pages waiting to retry go back to the outbox; exit 0, or 75 when pages are owed.
            """)

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "HOST:PORT to listen on (default: server.listen, else 127.0.0.1:8080; port 0 picks a free one).")
    var listen: String?

    func run() async throws {
        let logger = common.bootstrapLogging()
        let registry = PrometheusCollectorRegistry()
        let runtime = try await common.makeRuntime(logger: logger, metrics: .prometheus(registry), waitForState: true, logsActivity: true)
        var server = runtime.config.server
        if let listen {
            guard let (host, port) = ServerConfig.parseListen(listen) else {
                try? await runtime.shutdown()
                throw ValidationError("--listen: expected HOST:PORT, such as 127.0.0.1:8080")
            }
            server?.host = host
            server?.port = port
        }
        let status = await runtime.run { runtime in
            let notifyServer: NotifyServer
            do {
                notifyServer = try NotifyServer(runtime: runtime, registry: registry, server: server, logger: logger)
            } catch {
                Diagnostics.error("config error: \(error)")
                return ExitStatus.configError
            }
            let host = notifyServer.config.host
            do {
                try await notifyServer.run(onListening: { port in
                    Diagnostics.info("listening on http://\(host.contains(":") ? "[\(host)]" : host):\(port)")
                })
            } catch let error as IOError {
                // The address, not the state file (74): say which, in words, with its own code.
                let address = "\(host.contains(":") ? "[\(host)]" : host):\(notifyServer.config.port)"
                let reason = String(cString: strerror(error.errnoCode)).lowercased()
                switch error.errnoCode {
                case EADDRINUSE:
                    Diagnostics.error("cannot listen on \(address): \(reason) (another notify serve, or another program, holds it)")
                    return ExitStatus.osError
                case EACCES:
                    Diagnostics.error("cannot listen on \(address): \(reason) (ports below 1024 need privileges)")
                    return ExitStatus.noPermission
                case EADDRNOTAVAIL:
                    Diagnostics.error("cannot listen on \(address): \(reason) (no interface of this host has that address)")
                    return ExitStatus.osError
                default:
                    Diagnostics.error("cannot listen on \(address): \(reason)")
                    return ExitStatus.osError
                }
            }
            do {
                return try await Lifecycle.sayWhatIsOwed(runtime.notifier) > 0 ? ExitStatus.tempFailure : .success
            } catch {
                return .success  // the store is gone; what was owed stays in it
            }
        }
        if status != .success { throw status }
    }
}
