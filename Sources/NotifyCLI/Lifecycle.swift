import Alerting
import AlertingConfig
import AlertingSQLite
import Foundation
import Logging
import ServiceLifecycle

/// Long-running commands run their work as swift-service-lifecycle services: SIGTERM and
/// SIGINT shut the group down gracefully (input stops being read, due steps stop being waited
/// for, an attempt on the wire finishes, the rest goes back to the outbox, every outcome is
/// recorded) and the command exits 0, or 75 when pages are owed.
enum Lifecycle {
    static func run(_ services: [any Service], logger: Logger) async throws {
        let group = ServiceGroup(configuration: .init(
            // The work ending by itself (input read) ends the group too. A service that fails
            // shuts the others down gracefully as well, not by cancelling them: a cancelled
            // HTTP server can trap on a connection it accepted but had not yet taken
            // (apple/swift-nio#2813), and in-flight work deserves its outcome either way.
            services: services.map {
                .init(service: Announced(service: $0), successTerminationBehavior: .gracefullyShutdownGroup,
                      failureTerminationBehavior: .gracefullyShutdownGroup)
            },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// Says on standard error that notify is stopping, when it is asked to.
    struct Announced: Service {
        let service: any Service

        func run() async throws {
            try await withGracefulShutdownHandler {
                try await service.run()
            } onGracefulShutdown: {
                Diagnostics.info("stopping: finishing in-flight work")
            }
        }
    }
}

extension Lifecycle {
    /// After stopping: how many pages are left in the outbox for the next run (or another
    /// instance), said on standard error when there are any. Exit 75 says the same.
    static func sayWhatIsOwed(_ notifier: Notifier) async throws -> Int {
        let owed = try await notifier.status().pendingPages
        if owed > 0 {
            Diagnostics.info("stopped with \(counted(owed, "page")) owed: the next notify run, or another instance, sends them")
        }
        return owed
    }
}

/// The result a service leaves for its command.
final class Outcome<Value: Sendable>: Sendable {
    private let box = LockedBox<Value?>(nil)
    func set(_ value: Value) { box.withLock { $0 = value } }
    var value: Value? { box.withLock { $0 } }
}
