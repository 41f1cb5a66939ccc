import Foundation
import Logging

/// The delivery half of the engine: due work into the outbox, the outbox worked off.
extension Notifier {
    /// Does everything due now, until nothing is: runs the detectors, fires due escalation
    /// steps and storm digests into the outbox, claims outbox items (including ones a crashed
    /// process claimed and never finished), delivers them, and records each outcome. Returns
    /// what was delivered.
    ///
    /// Up to ``OutboxSettings/maxConcurrentDeliveries`` items are in flight at once, and a slot
    /// that frees is refilled at once: one slow or rate-limited channel holds its own slot,
    /// never the others. More are claimed ahead, so that recording and claiming overlap
    /// delivering (``OutboxSettings/claimAhead(finishedSinceLastRound:)``: more when deliveries
    /// finish fast). A retry wait longer than ``OutboxSettings/maxWaitInPlace`` goes back to the
    /// outbox. Claims are renewed while their delivery runs.
    ///
    /// Each round is one store transaction: it records every delivery that finished since the
    /// last round, fires what came due, and claims what is ready, with the claimed items'
    /// alerts. A storm of pages costs a few transactions a round, not a few a page.
    @discardableResult
    public func runDue() async throws -> [OutboxDelivery] {
        try await runDetectors()
        let inFlight = LockedBox<Set<Int64>>([])
        let finished = LockedBox<[Finished]>([])
        let wake = WakeSignal()
        let renewal = Task { [self] in await renewLeases(of: inFlight) }
        defer { renewal.cancel() }
        return try await withThrowingDiscardingTaskGroup { group in
            var delivered: [OutboxDelivery] = []
            // Claimed items wait in `queue` for one of at most `slots` workers; a worker that
            // finishes takes the next at once, without waiting for the round being recorded.
            // Items beyond the slots are claimed ahead, so the next round's transaction runs
            // while deliveries do. `inFlight` (renewed) holds every claimed item not yet recorded.
            let slots = outbox.maxConcurrentDeliveries
            let queue = LockedBox<(items: [(OutboxItem, Alert?)], workers: Int)>(([], 0))
            while true {
                let done = finished.withLock { list in
                    defer { list.removeAll(keepingCapacity: true) }
                    return list
                }
                // The finished ones stay claimed (and renewed) until the round has recorded them.
                let ahead = outbox.claimAhead(finishedSinceLastRound: done.count)
                let round = try await recordFireAndClaim(done, limit: slots + ahead - inFlight.withLock(\.count) + done.count)
                inFlight.withLock { $0.subtract(done.map(\.item.id)) }
                delivered += report(done, escalated: round.escalated)
                inFlight.withLock { $0.formUnion(round.claimed.map(\.0.id)) }
                let workers = queue.withLock { state in
                    state.items += round.claimed
                    let more = min(slots - state.workers, state.items.count)
                    state.workers += more
                    return more
                }
                for _ in 0..<workers {
                    group.addTask {
                        while let (item, alert) = queue.withLock({ state -> (OutboxItem, Alert?)? in
                            guard !state.items.isEmpty else {
                                state.workers -= 1
                                return nil
                            }
                            return state.items.removeFirst()
                        }) {
                            var result = await self.deliver(item, alert: alert)
                            result.alert = alert
                            finished.withLock { $0.append(result) }
                            wake.signal()
                        }
                    }
                }
                let progressed = !done.isEmpty || round.fired > 0 || !round.claimed.isEmpty
                let claimed = inFlight.withLock(\.count)
                if claimed == 0, !progressed { return delivered }
                if progressed, claimed < slots + ahead { continue }
                // Wait for a delivery to finish; and while deliveries run, look for new work
                // every tick: work recorded meanwhile (another alert's first page) must not wait
                // for a slow channel to finish.
                try await wake.wait(upTo: Self.newWorkTick, clock: SystemClock())
            }
        }
    }

    /// How often a busy ``runDue()`` looks for new work while its deliveries run.
    static let newWorkTick = Duration.milliseconds(200)

    /// A delivery made and not yet recorded.
    struct Finished: Sendable {
        var item: OutboxItem
        /// The item's alert as claimed.
        var alert: Alert? = nil
        var result: DeliveryPipeline.Result
        /// Then the item goes back to the outbox (a retryable failure, a throttle).
        var retryAt: Date?
    }

    /// One transaction: record what finished, fire due steps, queue due digests, claim up to
    /// `limit` ready items with their alerts.
    private func recordFireAndClaim(_ done: [Finished], limit: Int) async throws -> (fired: Int, claimed: [(OutboxItem, Alert?)], escalated: Set<Int64>) {
        let now = clock.now()
        let round = try await store.write { [self, planner, stormControl, outbox] transaction in
            let (silences, unreadable) = try silencesInForce(at: now, in: transaction)
            var escalated: Set<Int64> = []
            for finished in done {
                if try OutboxQueue.complete(finished.item, report: finished.result.report, retryAt: finished.retryAt, at: now, carried: finished.result.carried,
                                            alert: finished.alert, wantsResolveNotice: planner.wantsResolveNotice, in: transaction) {
                    escalated.insert(finished.item.alertID)
                }
            }
            var lags: [TimeInterval] = []
            var fired = try EscalationFirer.fireDue(at: now, limit: 256, in: transaction, fire: { escalation, alert in
                let firing = planner.fire(escalation, alert: alert, silences: silences, at: now)
                if let lag = firing.lag { lags.append(lag) }
                return firing
            })
            if stormControl != nil, try InstanceRegistry.runsSingletonWork(outbox.owner, at: now, in: transaction) {
                fired += try StormGate.flushDigests(at: now, in: transaction)
            }
            let items = limit > 0 ? try OutboxQueue.claim(owner: outbox.owner, at: now, leaseFor: outbox.leaseDuration, limit: limit, in: transaction) : []
            let alerts = Dictionary(try transaction.alerts(ids: Array(Set(items.map(\.alertID)))).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            return (fired, items.map { ($0, alerts[$0.alertID]) }, escalated, unreadable, lags)
        }
        // After the commit, once: the body may have run more than once.
        for lag in round.4 { metrics.escalationFired(lag: lag) }
        for unreadable in round.3 { logger.error("\(unreadable)") }
        return (round.0, round.1, round.2)
    }

    /// Delivers one outbox item; its outcome is recorded by the next round. A store error here
    /// (a throttle check, a storm hold) sends the item back to try again.
    private func deliver(_ item: OutboxItem, alert: Alert?) async -> Finished {
        let result: DeliveryPipeline.Result
        do {
            result = try await pipeline.deliver(item, alert: alert, maxWait: outbox.maxWaitInPlace)
        } catch {
            result = .init(report: DeliveryReport(channel: item.target.channel, recipient: item.target.recipient,
                                                  attempts: [.init(startedAt: clock.now(), outcome: .retryable(reason: "state store: \(error)", retryAfter: nil))]))
        }
        let now = clock.now()
        var retryAt = result.retryAt
        if case .retryable(_, let retryAfter) = result.report.outcome, now < item.createdAt + outbox.giveUpAfter.timeInterval {
            retryAt = now + max(outbox.requeueDelay, retryAfter ?? .zero).timeInterval
        }
        return Finished(item: item, result: result, retryAt: retryAt)
    }

    /// Logs and counts what a round recorded.
    private func report(_ done: [Finished], escalated: Set<Int64>) -> [OutboxDelivery] {
        let now = clock.now()
        for alertID in escalated.sorted() {
            logger.notice("every delivery of a step failed permanently; escalating now", metadata: ["alert": "\(alertID)"])
        }
        return done.map { finished in
            activity.page(finished.result.report, alertID: finished.item.alertID, retryAt: finished.retryAt, action: finished.item.action)
            metrics.delivered(finished.result.report, latency: now.timeIntervalSince(finished.item.createdAt))
            return OutboxDelivery(item: finished.item, report: finished.result.report)
        }
    }

    /// Every third of a lease, extends the claims on the items still being delivered. Paced by
    /// real time: the lease protects real deliveries, whatever clock the engine runs on.
    private func renewLeases(of inFlight: LockedBox<Set<Int64>>) async {
        let interval = outbox.leaseDuration / 3
        while (try? await Task.sleep(for: interval)) != nil {
            let ids = inFlight.withLock { Array($0) }
            guard !ids.isEmpty else { continue }
            let until = clock.now() + outbox.leaseDuration.timeInterval
            do {
                let lost = try await store.write { [outbox] in try OutboxQueue.renew(ids, owner: outbox.owner, until: until, in: $0) }
                if !lost.isEmpty { logger.warning("lost the claim on outbox items still being delivered; they may go out twice", metadata: ["items": "\(lost)"]) }
            } catch {
                logger.error("could not renew outbox claims", metadata: ["error": "\(error)"])
            }
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
    public func runContinuously(poll: Duration = .seconds(1), wake: WakeSignal? = nil, health: EngineHealth? = nil, role: String = "daemon",
                                onDelivered: @Sendable (OutboxDelivery) -> Void = { _ in }) async throws {
        try await reportingAlive(role: role) { try await runRounds(poll: poll, wake: wake, health: health, onDelivered: onDelivered) }
    }

    private func runRounds(poll: Duration, wake: WakeSignal?, health: EngineHealth?, onDelivered: @Sendable (OutboxDelivery) -> Void) async throws {
        // On a shared database, work another instance records wakes this one at once.
        let wake = wake ?? (store is any SharedAlertStore ? WakeSignal() : nil)
        let listening = Task { [self] in if let wake, let shared = store as? any SharedAlertStore { await listenForWork(on: shared, wake: wake) } }
        defer { listening.cancel() }
        var backoff = Duration.milliseconds(250)
        while !Task.isCancelled {
            var wait = poll
            do {
                // In its own task: cancelling the loop (SIGTERM) lets in-flight deliveries
                // finish and record their outcome instead of cutting them off half-way.
                let delivered = try await Task { try await self.runDue() }.value
                delivered.forEach(onDelivered)
                if let next = try await store.nextWakeUp() {
                    let untilNext = next.timeIntervalSince(clock.now())
                    wait = min(poll, max(.milliseconds(10), .milliseconds(Int64(untilNext * 1000))))
                }
                if let failure = health?.recovered() {
                    logger.notice("state store answers again", metadata: ["after": "\(failure)"])
                }
                backoff = .milliseconds(250)
            } catch where Task.isCancelled {
                return  // asked to stop: whatever threw was interrupted by that, not broken
            } catch {
                if health?.failed("\(error)") ?? true {
                    logger.error("state store error; retrying until it answers", metadata: ["error": "\(error)"])
                }
                wait = backoff
                backoff = min(backoff * 2, .seconds(30))
            }
            do {
                if let wake {
                    try await wake.wait(upTo: wait, clock: clock)
                } else {
                    try await clock.sleep(for: wait)
                }
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
