import Alerting
import AlertingConfig
import AlertingSQLite
import Foundation
import Logging
import ServiceLifecycle

/// Long-running commands run their work as swift-service-lifecycle services: SIGTERM and
/// SIGINT shut the group down gracefully (input stops being read, due steps stop being waited
/// for, in-flight deliveries finish and are recorded) and the command exits 0.
enum Lifecycle {
    static func run(_ services: [any Service], logger: Logger) async throws {
        let group = ServiceGroup(configuration: .init(
            // The work ending by itself (input read) ends the group too.
            services: services.map { .init(service: Announced(service: $0), successTerminationBehavior: .gracefullyShutdownGroup) },
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

/// The result a service leaves for its command.
final class Outcome<Value: Sendable>: Sendable {
    private let box = LockedBox<Value?>(nil)
    func set(_ value: Value) { box.withLock { $0 = value } }
    var value: Value? { box.withLock { $0 } }
}
