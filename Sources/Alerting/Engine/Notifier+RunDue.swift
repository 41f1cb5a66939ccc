import Foundation
import Logging

/// The delivery half of the engine: due work into the outbox, the outbox worked off.
extension Notifier {
    /// Does everything due now, until nothing is: runs the detectors, fires due escalation
    /// steps and storm digests into the outbox, claims outbox items (including ones a crashed
    /// process claimed and never finished), admits them, delivers them, and records each
    /// outcome. Returns what was delivered (or settled: held, throttled, not sent).
    ///
    /// The order of concerns, in one list (docs/architecture.md shows the same):
    ///
    /// - **round** (one store transaction): record what came back → fire due steps
    ///   (``EscalationFirer``) and storm digests (``StormGate``) → claim (``OutboxQueue``: each
    ///   channel's free slots, each item first in its line) → admit (``DeliveryAdmission``:
    ///   alert → storm digest → stop → channel → storm hold → throttle → gather → thread);
    /// - **transmission** (each delivery in its own task, outside any transaction):
    ///   render → your ``Configuration/Delivery/stages`` → send (retry, `Retry-After`);
    /// - **record**: the outcome, by the next round, a moment after the provider answered.
    ///
    /// See ``Dispatch`` for slots per channel, claims, renewal and stopping.
    /// - Parameter stop: when it is set, claim nothing more, let what is in flight finish or go
    ///   back to the outbox, record it, and return.
    @discardableResult
    public func runDue(stop: StopSignal? = nil) async throws -> [OutboxDelivery] {
        try await runDetectors()
        return try await Dispatch(notifier: self, stop: stop).run()
    }

    /// How often a busy ``runDue(stop:)`` looks for new work while its deliveries run.
    static let newWorkTick = Duration.milliseconds(200)

    /// A delivery made (or settled by admission) and not yet recorded.
    struct Finished: Sendable {
        var item: OutboxItem
        /// The item's alert as claimed.
        var alert: Alert? = nil
        var report: DeliveryReport
        /// Other waiting pages the message carried.
        var carried: [OutboxItem] = []
        /// Then the item goes back to the outbox (a retryable failure, a throttle).
        var retryAt: Date?
        /// False for an item given back unsent (its claim went stale, or notify is stopping):
        /// it goes back to the outbox with no delivery in its timeline.
        var attempted = true
    }

    /// What one round did.
    struct Round: Sendable {
        var fired: Int
        /// Admitted: to be sent now.
        var prepared: [PreparedDelivery]
        /// Claimed and settled by admission (held, throttled, not sent), already recorded.
        var settled: [Finished]
        /// Alerts whose next step was made due by a failed step (fallback).
        var escalated: Set<Int64>
        /// The claimed items' alerts.
        var alerts: [Int64: Alert]
    }

    /// The transmission stages, in order: render → the configured stages → send.
    func transmission(stop: StopSignal?, shouldStop: (@Sendable (PreparedDelivery) async -> DeliveryOutcome?)?) -> Transmission {
        Transmission(stages: [RenderStage(renderer: renderer, clock: clock)] + configuration.delivery.stages
                     + [SendStage(deliverer: deliverer, maxWait: outbox.maxWaitInPlace, stop: stop, shouldStop: shouldStop)])
    }

    /// One transaction: record what finished, fire due steps, queue due digests, claim ready
    /// items for the channels in `perChannel` (at most that many each; none for the others)
    /// and admit them.
    func recordFireAndClaim(_ done: [Finished], perChannel: [String: Int]) async throws -> Round {
        let now = clock.now()
        let limit = perChannel.values.reduce(0, +)
        let excludingChannels = channels.keys.filter { perChannel[$0] == nil }.sorted()
        let context = DeliveryAdmission.Context(channels: channels, contacts: contacts, throttles: configuration.delivery.throttles,
                                                stormControl: stormControl, owner: outbox.owner, leaseUntil: now + outbox.leaseDuration.timeInterval)
        let round = try await store.write { [self, planner, stormControl, outbox] transaction in
            var escalated: Set<Int64> = []
            func record(_ finished: Finished) throws {
                guard finished.attempted else {
                    // Given back unsent: owed again at once, no delivery in the timeline.
                    try transaction.setOutboxState(.pending(notBefore: nil), ids: [finished.item.id] + finished.carried.map(\.id))
                    return
                }
                if try OutboxQueue.complete(finished.item, report: finished.report, retryAt: finished.retryAt, at: now, carried: finished.carried,
                                            alert: finished.alert, wantsResolveNotice: planner.wantsResolveNotice, in: transaction) {
                    escalated.insert(finished.item.alertID)
                }
            }
            for finished in done where !finished.attempted { try record(finished) }
            escalated.formUnion(try OutboxQueue.complete(done.filter(\.attempted).map {
                OutboxQueue.Completion(item: $0.item, report: $0.report, retryAt: $0.retryAt, carried: $0.carried, alert: $0.alert)
            }, at: now, wantsResolveNotice: planner.wantsResolveNotice, in: transaction))
            var lags: [TimeInterval] = []
            // Silences matter only to a step that fires: read once, when one does.
            var readings: (silences: [Silence], unreadable: [UnreadableSilence])?
            var overrides: [ScheduleOverride] = []
            var fired = try EscalationFirer.fireDue(at: now, limit: 256, in: transaction, fire: { escalation, alert in
                if readings == nil {
                    readings = try silencesInForce(at: now, in: transaction)
                    overrides = try transaction.overrides(endingAfter: now)
                }
                let firing = planner.fire(escalation, alert: alert, silences: readings?.silences ?? [], overrides: overrides, at: now)
                if let lag = firing.lag { lags.append(lag) }
                return firing
            })
            if stormControl != nil, try InstanceRegistry.runsSingletonWork(outbox.owner, at: now, in: transaction) {
                fired += try StormGate.flushDigests(at: now, in: transaction)
            }
            let (items, alerts) = limit > 0 ? try OutboxQueue.claimWithAlerts(owner: outbox.owner, at: now, leaseFor: outbox.leaseDuration, limit: limit,
                                                                              excludingChannels: excludingChannels, perChannel: perChannel,
                                                                              in: transaction) : ([], [:])
            var prepared: [PreparedDelivery] = []
            var settled: [Finished] = []
            for (item, decision) in try DeliveryAdmission.admit(items, alerts: alerts, at: now, context: context, in: transaction) {
                switch decision {
                case .send(let delivery):
                    prepared.append(delivery)
                case .settled(let report, let retryAt):
                    let finished = Finished(item: item, alert: alerts[item.alertID], report: report, retryAt: retryAt)
                    try record(finished)
                    settled.append(finished)
                }
            }
            return (Round(fired: fired, prepared: prepared, settled: settled, escalated: escalated, alerts: alerts), readings?.unreadable ?? [], lags)
        }
        // After the commit, once: the body may have run more than once.
        for lag in round.2 { metrics.escalationFired(lag: lag) }
        for unreadable in round.1 { logger.error("\(unreadable)") }
        return round.0
    }

    /// Sends one admitted delivery through the transmission stages. Its outcome is recorded by
    /// the next round.
    /// - Parameter claimConfirmed: when the store last confirmed this process's claims; a claim
    ///   not confirmed for half a lease is not retried on (another instance may take it soon).
    func transmit(_ prepared: PreparedDelivery, stop: StopSignal?, claimConfirmed: @escaping @Sendable () -> ContinuousClock.Instant) async -> Finished {
        guard let item = prepared.item else {
            return Finished(item: OutboxItem(id: 0, alertID: 0, target: OutboxTarget(channel: prepared.channel.name), position: nil, action: .trigger,
                                             createdAt: clock.now()),
                            report: prepared.report(.permanent(reason: "nothing to deliver"), at: clock.now()))
        }
        if let problem = item.problem { logger.error("state file damaged: \(problem)", metadata: ["alert": "\(item.alertID)"]) }
        let halfLease = outbox.leaseDuration / 2
        let transmission = transmission(stop: stop, shouldStop: { [store] _ in
            if ContinuousClock.now - claimConfirmed() > halfLease {
                return .retryable(reason: "not retried here: the state store has not confirmed the claim for \(DurationParser.brief(halfLease))", retryAfter: nil)
            }
            // A page of an alert acknowledged meanwhile (by anyone, on any instance), or resolved
            // past its first step, is not tried again. Resolve notices and digests go on.
            guard item.action == .trigger, item.digestOf.isEmpty else { return nil }
            switch try? await store.read({ try $0.alertStatus(id: item.alertID) }) {
            case .acknowledged?: return .permanent(reason: "not sent: the alert was acknowledged meanwhile")
            case .resolved? where item.position != 0: return .permanent(reason: "not sent: the alert was resolved meanwhile")
            default: return nil
            }
        })
        let report = await transmission.run(prepared, clock: clock)
        let now = clock.now()
        var retryAt: Date?
        if case .retryable(_, let retryAfter) = report.outcome {
            if stop?.isStopped == true {
                retryAt = now  // left on stopping: ready at once, for the next run or another instance
            } else if now < item.createdAt + outbox.giveUpAfter.timeInterval {
                retryAt = now + max(outbox.requeueDelay, retryAfter ?? .zero).timeInterval
            }
        }
        return Finished(item: item, report: report, carried: prepared.carried, retryAt: retryAt)
    }

    /// Logs and counts what a round recorded.
    func report(_ done: [Finished], escalated: Set<Int64>) -> [OutboxDelivery] {
        let now = clock.now()
        for alertID in escalated.sorted() {
            logger.notice("every delivery of a step failed permanently; escalating now", metadata: ["alert": "\(alertID)"])
        }
        return done.flatMap { finished in
            activity.page(finished.report, alertID: finished.item.alertID, retryAt: finished.retryAt, action: finished.item.action)
            metrics.delivered(finished.report, latency: now.timeIntervalSince(finished.item.createdAt))
            // The pages it carried reached their person with it (when it failed, they are owed
            // again, and say so when they go).
            let carried = finished.report.outcome.isDelivered ? finished.carried : []
            for item in carried { activity.page(finished.report, alertID: item.alertID, action: item.action) }
            return [OutboxDelivery(item: finished.item, report: finished.report)] + carried.map { OutboxDelivery(item: $0, report: finished.report) }
        }
    }

    /// Runs escalations and the outbox until the task is cancelled: what `notify daemon` and
    /// `notify watch --keep-running` do. It wakes at the next due time and at least every
    /// `poll`, so a step fires within `poll` of its due time even when another process
    /// scheduled it. `wake` cuts a wait short: `notify serve` signals it when a request recorded
    /// something, so a page goes out at once rather than at the next poll.
    ///
    /// A store error (the state file locked, the database restarting) does not stop it: it is
    /// logged once, reported by ``health``, and retried with backoff until the store answers.
    ///
    /// It returns when `stop` is set (or the task is cancelled): deliveries in flight finish or
    /// go back to the outbox, ready at once, and their outcomes are recorded first.
    public func runContinuously(poll: Duration = .seconds(1), wake: WakeSignal? = nil, health: EngineHealth? = nil, role: String = "daemon",
                                stop: StopSignal = StopSignal(), onDelivered: @Sendable (OutboxDelivery) -> Void = { _ in }) async throws {
        try await withTaskCancellationHandler {
            try await reportingAlive(role: role) { try await runRounds(poll: poll, wake: wake ?? WakeSignal(), health: health, stop: stop, onDelivered: onDelivered) }
        } onCancel: {
            stop.stop()
        }
    }

    private func runRounds(poll: Duration, wake: WakeSignal, health: EngineHealth?, stop: StopSignal, onDelivered: @Sendable (OutboxDelivery) -> Void) async throws {
        stop.whenStopped { wake.signal() }
        // On a shared database, work another instance records wakes this one at once.
        let listening = Task { [self] in if let shared = store as? any SharedAlertStore { await listenForWork(on: shared, wake: wake) } }
        defer { listening.cancel() }
        var backoff = Duration.milliseconds(250)
        while !stop.isStopped {
            var wait = poll
            do {
                // In its own task: stopping (SIGTERM) lets in-flight deliveries finish or go back
                // to the outbox, and records their outcome, instead of cutting them off half-way.
                let delivered = try await Task { try await self.runDue(stop: stop) }.value
                delivered.forEach(onDelivered)
                if let next = try await store.nextWakeUp() {
                    let untilNext = next.timeIntervalSince(clock.now())
                    wait = min(poll, max(.milliseconds(10), .milliseconds(Int64(untilNext * 1000))))
                }
                if let failure = health?.recovered() {
                    logger.notice("state store answers again", metadata: ["after": "\(failure)"])
                }
                backoff = .milliseconds(250)
            } catch where Task.isCancelled || stop.isStopped {
                return  // asked to stop: whatever threw was interrupted by that, not broken
            } catch {
                if health?.failed("\(error)") ?? true {
                    logger.error("state store error; retrying until it answers", metadata: ["error": "\(error)"])
                }
                wait = backoff
                backoff = min(backoff * 2, .seconds(30))
            }
            guard !stop.isStopped else { return }
            do {
                try await wake.wait(upTo: wait, clock: clock)
            } catch {
                return  // cancelled while waiting
            }
        }
    }
}

extension Notifier {
    /// Signals `wake` each time another instance records work, until cancelled; a lost
    /// connection is opened again (polling covers the gap).
    func listenForWork(on store: any SharedAlertStore, wake: WakeSignal) async {
        while !Task.isCancelled {
            do {
                try await store.listenForWork { wake.signal() }
            } catch where !Task.isCancelled {
                logger.debug("listening for work: connection lost; polling until it is back", metadata: ["error": "\(error)"])
            } catch {
                return
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }
}

/// Whether the engine's loop can reach its store, for `/healthz` and the logs.
public final class EngineHealth: Sendable {
    private let state = LockedBox<String?>(nil)

    public init() {}

    /// The last store error, while it lasts; nil when healthy.
    public var failure: String? { state.withLock { $0 } }

    /// Records a failure; true when it is new (not the same as the one before), so it is logged once.
    func failed(_ description: String) -> Bool {
        state.withLock { current in
            defer { current = description }
            return current != description
        }
    }

    /// Records a success; returns the failure that ended, if there was one.
    func recovered() -> String? {
        state.withLock { current in
            defer { current = nil }
            return current
        }
    }
}
