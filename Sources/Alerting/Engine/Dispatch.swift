import Foundation
import Logging

/// One run of the delivery loop (``Notifier/runDue(stop:)``): rounds and the deliveries they
/// start, until nothing more is due.
///
/// Each **round** is one store transaction: it records the outcomes that came back since the
/// last round, fires due escalation steps and storm digests, and, for channels that are running
/// out of admitted work, claims what is ready and admits it (``DeliveryAdmission``). Admitted
/// deliveries wait in their channel's lane for a slot; each runs in its own task through the
/// transmission stages (``Transmission``); one that finishes wakes the loop, so its outcome is
/// recorded by the next round, a moment after the provider answered.
///
/// - **Lanes.** Each channel has ``OutboxSettings/maxConcurrentDeliveries`` slots. A channel
///   that hangs holds its own slots, never another channel's; a round claims nothing for it
///   while it finishes nothing.
/// - **A slot frees when its outcome is recorded**, not when the provider answers: a `kill -9`
///   sends twice at most what was in flight (started, outcome not recorded), at most the slots
///   of each channel. And a delivery starts only after a round committed: an instance cut off
///   from its database starts nothing more.
/// - **Claiming ahead**, per channel: as many as it finished since it last claimed, twice, up to
///   ``maxClaim``, so a storm to a fast channel is claimed in a few large transactions. What
///   waits in a lane is claimed and renewed; a claim the store has not confirmed for half a
///   lease is not started (or retried) but left for the round to give back.
/// - **Stopping** (``StopSignal``): nothing more is claimed or started; a delivery waiting to
///   retry stops waiting; an attempt on the wire finishes; what was not delivered, and what
///   waited in the lanes, goes back to the outbox ready at once, recorded before ``run()``
///   returns.
final class Dispatch: Sendable {
    let notifier: Notifier
    let stop: StopSignal?
    /// Finished deliveries waiting for the next round to record them.
    private let finished = LockedBox<[Notifier.Finished]>([])
    private let lanes = LockedBox<[String: Lane]>([:])
    /// When the store last confirmed this process's claims (a round or a renewal committed).
    private let confirmed = LockedBox(ContinuousClock.now)
    private let wake = WakeSignal()

    /// One channel's deliveries: admitted and waiting for a slot, and in flight.
    struct Lane {
        var waiting: [PreparedDelivery] = []
        /// Started, outcome not yet recorded.
        var inFlight = 0
        /// Recorded since the channel last claimed: how fast it goes.
        var recordedSinceClaim = 0
        /// Ids held by this process for the lane (waiting, in flight, carried), for renewal.
        var held: Set<Int64> = []
    }

    init(notifier: Notifier, stop: StopSignal?) {
        self.notifier = notifier
        self.stop = stop
    }

    /// The most a channel claims in one round: the size of a storm's transactions.
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
                // What waited in the lanes goes back when stopping, or when its claim is too old
                // to start on.
                let given = giveBack(all: stopping)
                let claims = stopping ? [:] : wanted(freeing: done)
                let round = try await notifier.recordFireAndClaim(done + given, perChannel: claims)
                confirmed.withLock { $0 = .now }
                recorded(done + given)
                delivered += notifier.report(done + round.settled, escalated: round.escalated)
                enqueue(round.prepared)
                for (prepared, alert) in startable() {
                    group.addTask { [self] in
                        var result = await notifier.transmit(prepared, stop: stop, claimConfirmed: { [confirmed] in confirmed.withLock { $0 } })
                        result.alert = alert
                        finish(result)
                    }
                }
                let busy = lanes.withLock { $0.values.contains { $0.inFlight > 0 || !$0.waiting.isEmpty } }
                let progressed = !done.isEmpty || !given.isEmpty || round.fired > 0 || !round.prepared.isEmpty || !round.settled.isEmpty
                // Stopping: this round recorded what came back; with nothing in flight, done.
                if !busy, !progressed || stopping { return delivered }
                if progressed, !stopping { continue }
                // Wait for a delivery to finish; and while deliveries run, look for new work
                // every tick: work recorded meanwhile (another alert's first page) must not wait
                // for a slow channel to finish.
                try await wake.wait(upTo: Notifier.newWorkTick, clock: SystemClock())
            }
        }
    }

    /// What each channel may claim this round (channels absent claim nothing): its free slots,
    /// and ahead of them twice what it finished since it last claimed, when its lane is short.
    private func wanted(freeing done: [Notifier.Finished]) -> [String: Int] {
        var freed: [String: Int] = [:]
        for item in done { freed[item.item.target.channel, default: 0] += 1 }
        return lanes.withLock { lanes in
            var wanted: [String: Int] = [:]
            for name in notifier.channels.keys {
                let slots = self.slots(name)
                let lane = lanes[name] ?? Lane()
                let inFlight = lane.inFlight - freed[name, default: 0]
                guard lane.waiting.count < slots else { continue }
                let ahead = min(Self.maxClaim, 2 * (lane.recordedSinceClaim + freed[name, default: 0]))
                let room = max(0, slots - inFlight) + ahead - lane.waiting.count
                if room > 0 { wanted[name] = min(room, Self.maxClaim) }
            }
            return wanted
        }
    }

    /// Admitted deliveries join their channel's lane; their claims are held.
    private func enqueue(_ prepared: [PreparedDelivery]) {
        guard !prepared.isEmpty else { return }
        // In place (lanes[name, default:]): a copy of a lane would copy its whole queue.
        lanes.withLock { lanes in
            for delivery in prepared {
                guard let item = delivery.item else { continue }
                let name = item.target.channel
                lanes[name, default: Lane()].waiting.append(delivery)
                lanes[name, default: Lane()].recordedSinceClaim = 0
                lanes[name, default: Lane()].held.insert(item.id)
                for other in delivery.carried { lanes[name, default: Lane()].held.insert(other.id) }
            }
        }
    }

    /// Takes from each lane what its free slots allow, in order, once the store has confirmed
    /// the claims recently (a cut-off instance starts nothing).
    private func startable() -> [(PreparedDelivery, Alert?)] {
        guard !(stop?.isStopped ?? false), isConfirmed() else { return [] }
        return lanes.withLock { lanes in
            var started: [(PreparedDelivery, Alert?)] = []
            for name in lanes.keys.sorted() {
                guard let lane = lanes[name] else { continue }
                let count = min(max(0, slots(name) - lane.inFlight), lane.waiting.count)
                guard count > 0 else { continue }
                for delivery in lane.waiting.prefix(count) {
                    started.append((delivery, delivery.item.flatMap { item in delivery.notification.alert.id == item.alertID ? delivery.notification.alert : nil }))
                }
                lanes[name]?.waiting.removeFirst(count)
                lanes[name]?.inFlight += count
            }
            return started
        }
    }

    /// The deliveries waiting in the lanes that go back to the outbox unsent: all of them when
    /// stopping; those whose claims the store has not confirmed for half a lease otherwise.
    private func giveBack(all: Bool) -> [Notifier.Finished] {
        guard all || !isConfirmed() else { return [] }
        let now = notifier.clock.now()
        return lanes.withLock { lanes in
            var given: [Notifier.Finished] = []
            for name in lanes.keys {
                guard let waiting = lanes[name]?.waiting, !waiting.isEmpty else { continue }
                for delivery in waiting {
                    guard let item = delivery.item else { continue }
                    given.append(Notifier.Finished(item: item, report: delivery.report(.retryable(reason: "not sent: given back to the outbox", retryAfter: nil), at: now),
                                                   carried: delivery.carried, retryAt: now, attempted: false))
                }
                lanes[name]?.inFlight += waiting.count  // freed again when recorded
                lanes[name]?.waiting.removeAll()
            }
            return given
        }
    }

    /// A channel's slots (``OutboxSettings/slots(for:)``).
    private func slots(_ channel: String) -> Int {
        notifier.channels[channel].map(notifier.outbox.slots) ?? notifier.outbox.maxConcurrentDeliveries
    }

    /// Whether the store confirmed this process's claims within half a lease.
    private func isConfirmed() -> Bool {
        ContinuousClock.now - confirmed.withLock { $0 } <= notifier.outbox.leaseDuration / 2
    }

    /// A delivery is over: the next round records it, at once.
    private func finish(_ result: Notifier.Finished) {
        finished.withLock { $0.append(result) }
        wake.signal()
    }

    /// Recorded: its slot is free, its claims need no more renewing.
    private func recorded(_ done: [Notifier.Finished]) {
        guard !done.isEmpty else { return }
        lanes.withLock { lanes in
            for finished in done {
                let name = finished.item.target.channel
                lanes[name, default: Lane()].inFlight -= 1
                if finished.attempted { lanes[name, default: Lane()].recordedSinceClaim += 1 }
                lanes[name, default: Lane()].held.remove(finished.item.id)
                for other in finished.carried { lanes[name, default: Lane()].held.remove(other.id) }
            }
        }
    }

    /// Every third of a lease, extends the claims this process holds (waiting in a lane or in
    /// flight). Paced by real time: the lease protects real deliveries, whatever clock the
    /// engine runs on.
    private func renewClaims() async {
        let outbox = notifier.outbox
        let interval = outbox.leaseDuration / 3
        while (try? await Task.sleep(for: interval)) != nil {
            let ids = lanes.withLock { $0.values.flatMap(\.held) }
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
