import Foundation
import Logging

/// One run of the delivery loop (``Notifier/runDue(stop:)``): rounds and the deliveries they
/// start, until nothing more is due.
///
/// Each **round** is one store transaction: it records the outcomes that came back since the
/// last round, fires due escalation steps and storm digests, claims what is ready, and admits
/// each claimed item (``DeliveryAdmission``). Admitted deliveries start at once, each in its
/// own task, through the transmission stages (``Transmission``); a delivery that finishes
/// wakes the loop, so its outcome is recorded by the next round, a moment later.
///
/// - **Slots per channel.** Each channel has ``OutboxSettings/maxConcurrentDeliveries``
///   deliveries in flight at most; a round claims only what a channel has slots for, and no
///   item of a channel whose slots are full. A hung channel holds its own slots, never another
///   channel's; nothing waits claimed behind it.
/// - **Nothing claimed ahead.** What a round claims starts as soon as the round commits. So a
///   `kill -9` sends twice only what was in flight (started, outcome not recorded), and an
///   instance cut off from the database starts nothing on a claim it could not renew.
/// - **Claims renewed** every third of the lease while their delivery runs; a delivery whose
///   claim could not be renewed for half a lease does not retry (another instance may soon
///   take it).
/// - **Stopping** (``StopSignal``): no more claims; a delivery waiting to retry stops waiting;
///   an attempt on the wire finishes; what was not delivered goes back to the outbox, ready at
///   once, and the outcomes are recorded before ``run()`` returns.
final class Dispatch: Sendable {
    let notifier: Notifier
    let stop: StopSignal?
    /// Finished deliveries waiting for the next round to record them.
    private let finished = LockedBox<[Notifier.Finished]>([])
    /// Items claimed and not yet recorded, by channel: the slots in use. Carried items too, for
    /// renewal.
    private let inFlight = LockedBox<(byChannel: [String: Int], items: Set<Int64>)>(([:], []))
    /// When the store last confirmed this process's claims (a round or a renewal committed).
    private let confirmed = LockedBox(ContinuousClock.now)
    private let wake = WakeSignal()

    init(notifier: Notifier, stop: StopSignal?) {
        self.notifier = notifier
        self.stop = stop
    }

    /// The most a round claims, whatever the free slots: the size of a storm's transactions.
    static let maxClaim = 256

    func run() async throws -> [OutboxDelivery] {
        let renewal = Task { await renewClaims() }
        defer { renewal.cancel() }
        return try await withThrowingDiscardingTaskGroup { group in
            var delivered: [OutboxDelivery] = []
            while true {
                let done = finished.withLock { list in
                    defer { list.removeAll(keepingCapacity: true) }
                    return list
                }
                let stopping = stop?.isStopped ?? false
                // The slots of what this round records are free for what it claims: in one
                // commit, so a crash never finds more started and unrecorded than the slots.
                let (limit, saturated, free) = stopping ? (0, [String](), [String: Int]()) : capacity(freeing: done)
                let round = try await notifier.recordFireAndClaim(done, limit: limit, excludingChannels: saturated, perChannel: free)
                confirmed.withLock { $0 = .now }
                forget(done)
                delivered += notifier.report(done + round.settled, escalated: round.escalated)
                for prepared in round.prepared {
                    guard let item = prepared.item else { continue }
                    hold(item, carried: prepared.carried)
                    group.addTask { [self] in
                        var result = await notifier.transmit(prepared, stop: stop, claimConfirmed: { [confirmed] in confirmed.withLock { $0 } })
                        result.alert = round.alerts[item.alertID]
                        finish(result)
                    }
                }
                let holding = inFlight.withLock { !$0.items.isEmpty }
                let progressed = !done.isEmpty || round.fired > 0 || !round.prepared.isEmpty || !round.settled.isEmpty
                // Stopping: this round recorded what came back; with nothing in flight, done.
                if !holding, !progressed || stopping { return delivered }
                if progressed, !stopping { continue }
                // Wait for a delivery to finish; and while deliveries run, look for new work
                // every tick: work recorded meanwhile (another alert's first page) must not wait
                // for a slow channel to finish.
                try await wake.wait(upTo: Notifier.newWorkTick, clock: SystemClock())
            }
        }
    }

    /// How much the next round may claim: in all, none of the channels whose slots are full,
    /// and at most each channel's free slots (counting free those of `done`, which the round
    /// records).
    private func capacity(freeing done: [Notifier.Finished]) -> (limit: Int, saturated: [String], free: [String: Int]) {
        let slots = notifier.outbox.maxConcurrentDeliveries
        var busy = inFlight.withLock { $0.byChannel }
        for finished in done { busy[finished.item.target.channel, default: 1] -= 1 }
        var free: [String: Int] = [:]
        for name in notifier.channels.keys { free[name] = max(0, slots - busy[name, default: 0]) }
        let saturated = free.filter { $0.value == 0 }.map(\.key).sorted()
        // Items for a channel this process does not know fail at once: a few more per round.
        let limit = min(Self.maxClaim, free.values.reduce(0, +) + slots)
        return (limit, saturated, free)
    }

    /// A delivery starts: it takes a slot of its channel, and its claims are renewed.
    private func hold(_ item: OutboxItem, carried: [OutboxItem]) {
        inFlight.withLock { state in
            state.byChannel[item.target.channel, default: 0] += 1
            state.items.insert(item.id)
            for other in carried { state.items.insert(other.id) }
        }
    }

    /// A delivery is over: the next round records it, at once.
    private func finish(_ result: Notifier.Finished) {
        finished.withLock { $0.append(result) }
        wake.signal()
    }

    /// Recorded: its slot is free, its claims need no more renewing.
    private func forget(_ done: [Notifier.Finished]) {
        guard !done.isEmpty else { return }
        inFlight.withLock { state in
            for finished in done {
                state.byChannel[finished.item.target.channel, default: 1] -= 1
                state.items.remove(finished.item.id)
                for other in finished.carried { state.items.remove(other.id) }
            }
        }
    }

    /// Every third of a lease, extends the claims on the items still being delivered. Paced by
    /// real time: the lease protects real deliveries, whatever clock the engine runs on.
    private func renewClaims() async {
        let outbox = notifier.outbox
        let interval = outbox.leaseDuration / 3
        while (try? await Task.sleep(for: interval)) != nil {
            let ids = inFlight.withLock { Array($0.items) }
            guard !ids.isEmpty else { continue }
            let until = notifier.clock.now() + outbox.leaseDuration.timeInterval
            do {
                let lost = try await notifier.store.write { [outbox] in try OutboxQueue.renew(ids, owner: outbox.owner, until: until, in: $0) }
                confirmed.withLock { $0 = .now }
                if !lost.isEmpty { notifier.logger.warning("lost the claim on outbox items still being delivered; they may go out twice", metadata: ["items": "\(lost)"]) }
            } catch {
                notifier.logger.error("could not renew outbox claims", metadata: ["error": "\(error)"])
            }
        }
    }
}
