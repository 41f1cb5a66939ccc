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
    /// never the others. A retry wait longer than ``OutboxSettings/maxWaitInPlace`` goes back
    /// to the outbox. Claims are renewed while their delivery runs.
    @discardableResult
    public func runDue() async throws -> [OutboxDelivery] {
        try await runDetectors()
        let inFlight = LockedBox<Set<Int64>>([])
        let renewal = Task { [self] in await renewLeases(of: inFlight) }
        defer { renewal.cancel() }
        return try await withThrowingTaskGroup(of: WorkDone.self) { group in
            var delivered: [OutboxDelivery] = []
            var ticking = false
            while true {
                let free = outbox.maxConcurrentDeliveries - inFlight.withLock(\.count)
                var progressed = false
                if free > 0 {
                    let (fired, items) = try await fireAndClaim(limit: free)
                    for item in items {
                        inFlight.withLock { _ = $0.insert(item.id) }
                        group.addTask { .delivered(try await self.deliver(item)) }
                    }
                    progressed = fired > 0 || !items.isEmpty
                }
                let busy = inFlight.withLock(\.count)
                if progressed, busy < outbox.maxConcurrentDeliveries { continue }
                if busy == 0 {
                    group.cancelAll()  // the tick
                    return delivered
                }
                // While deliveries run, look for new work every tick: work recorded meanwhile
                // (another alert's first page) must not wait for a slow channel to finish.
                if !ticking {
                    ticking = true
                    group.addTask {
                        try await Task.sleep(for: Self.newWorkTick)
                        return .tick
                    }
                }
                switch try await group.next() {
                case .delivered(let done)?:
                    inFlight.withLock { _ = $0.remove(done.item.id) }
                    delivered.append(done)
                case .tick?:
                    ticking = false
                case nil:
                    return delivered
                }
            }
        }
    }

    /// How often a busy ``runDue()`` looks for new work while its deliveries run.
    static let newWorkTick = Duration.milliseconds(200)

    private enum WorkDone: Sendable {
        case delivered(OutboxDelivery)
        case tick
    }

    /// One transaction: fire due steps, queue due digests, claim up to `limit` ready items.
    private func fireAndClaim(limit: Int) async throws -> (fired: Int, items: [OutboxItem]) {
        let now = clock.now()
        let silences = try await activeSilences(at: now)
        return try await store.write { [planner, stormControl, outbox] transaction in
            var fired = try EscalationFirer.fireDue(at: now, limit: 256, in: transaction, fire: { planner.fire($0, alert: $1, silences: silences, at: now) })
            if stormControl != nil { fired += try StormGate.flushDigests(at: now, in: transaction) }
            let items = try OutboxQueue.claim(owner: outbox.owner, at: now, leaseFor: outbox.leaseDuration, limit: limit, in: transaction)
            return (fired, items)
        }
    }

    /// Delivers one outbox item and records its outcome (which may bring the next step forward).
    private func deliver(_ item: OutboxItem) async throws -> OutboxDelivery {
        let result = try await pipeline.deliver(item, maxWait: outbox.maxWaitInPlace)
        let report = result.report
        let now = clock.now()
        var retryAt = result.retryAt
        if case .retryable(_, let retryAfter) = report.outcome, now < item.createdAt + outbox.giveUpAfter.timeInterval {
            retryAt = now + max(outbox.requeueDelay, retryAfter ?? .zero).timeInterval
        }
        let escalatedNow = try await store.write { [planner, retryAt] transaction in
            try OutboxQueue.complete(item, report: report, retryAt: retryAt, at: now, carried: result.carried,
                                     wantsResolveNotice: planner.wantsResolveNotice, in: transaction)
        }
        if escalatedNow {
            logger.notice("every delivery of a step failed permanently; escalating now", metadata: ["alert": "\(item.alertID)"])
        }
        pipeline.log(report, alertID: item.alertID)
        metrics.delivered(report, latency: now.timeIntervalSince(item.createdAt))
        return OutboxDelivery(item: item, report: report)
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
        let alive = Task { await reportAlive(role: role) }
        defer { alive.cancel() }
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
