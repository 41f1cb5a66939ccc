import Foundation
import Logging
import ServiceLifecycle

/// The engine's loop as a swift-service-lifecycle `Service`: runs escalations, storm digests,
/// detectors and the outbox (``Notifier/runContinuously(poll:wake:health:role:stop:onDelivered:)``)
/// until graceful shutdown; then it claims nothing more, an attempt on the wire finishes (within
/// the delivery timeout), a delivery waiting to retry goes back to the outbox at once, and the
/// outcomes are recorded before ``run()`` returns. Put it in a `ServiceGroup`
/// beside your own services; `notify daemon` and `notify serve` do.
public struct SchedulerService: Service {
    public let notifier: Notifier
    public let poll: Duration
    public let wake: WakeSignal?
    /// Whether the loop reaches its store; `/healthz` reads it.
    public let health: EngineHealth
    public let onDelivered: @Sendable (OutboxDelivery) -> Void
    /// How the process shows in `notify status`: daemon, serve, ...
    public let role: String
    /// Pinged while the loop reaches its store, when configured.
    public let deadManSwitch: DeadMansSwitch?

    public init(notifier: Notifier, poll: Duration = .seconds(1), wake: WakeSignal? = nil, health: EngineHealth = EngineHealth(), role: String = "daemon",
                deadManSwitch: DeadMansSwitch? = nil, onDelivered: @escaping @Sendable (OutboxDelivery) -> Void = { _ in }) {
        self.role = role
        self.deadManSwitch = deadManSwitch
        self.notifier = notifier
        self.poll = poll
        self.wake = wake
        self.health = health
        self.onDelivered = onDelivered
    }

    public func run() async throws {
        let stop = StopSignal()
        try await withGracefulShutdownHandler {
            let pinging = Task { [notifier, health, deadManSwitch] in await deadManSwitch?.run(health: health, notifier: notifier) }
            defer { pinging.cancel() }
            try await notifier.runContinuously(poll: poll, wake: wake, health: health, role: role, stop: stop, onDelivered: onDelivered)
        } onGracefulShutdown: {
            stop.stop()
        }
    }
}
