/// Events from concurrent callers recorded in shared transactions (group commit): while one
/// batch commits, the events that arrive wait and then go together in the next, up to
/// ``maxEvents``. A caller alone commits at once, as before; 64 callers at once cost a few
/// transactions, not 64. Each caller is answered with its own events' results, and only after
/// the transaction that holds them committed.
///
/// One caller's events never fail another's: when a shared transaction throws, each caller's
/// events are recorded again alone, and only the caller whose events fail gets the error.
public actor GroupCommit {
    private let notifier: Notifier
    /// The most events one transaction takes (a caller's events are never split).
    public let maxEvents: Int
    private var waiting: [Waiter] = []
    private var committing = false

    private struct Waiter {
        var events: [AlertEvent]
        var answer: CheckedContinuation<[IngestResult], any Error>
    }

    public init(notifier: Notifier, maxEvents: Int = 500) {
        self.notifier = notifier
        self.maxEvents = max(1, maxEvents)
    }

    /// Records `events` (``Notifier/ingest(_:)``), in a transaction shared with whatever other
    /// callers' events are waiting.
    public func ingest(_ events: [AlertEvent]) async throws -> [IngestResult] {
        guard !events.isEmpty else { return [] }
        return try await withCheckedThrowingContinuation { answer in
            waiting.append(Waiter(events: events, answer: answer))
            if !committing {
                committing = true
                Task { await commitWaiting() }
            }
        }
    }

    /// Commits batches until nobody waits. Callers arriving meanwhile join `waiting` (the actor
    /// is free while a batch commits) and go in the next batch.
    private func commitWaiting() async {
        while !waiting.isEmpty {
            var batch: [Waiter] = []
            var count = 0
            while let next = waiting.first, batch.isEmpty || count + next.events.count <= maxEvents {
                batch.append(waiting.removeFirst())
                count += next.events.count
            }
            await commit(batch)
        }
        committing = false
    }

    private func commit(_ batch: [Waiter]) async {
        do {
            var results = try await notifier.ingest(batch.flatMap(\.events))[...]
            for waiter in batch {
                waiter.answer.resume(returning: Array(results.prefix(waiter.events.count)))
                results = results.dropFirst(waiter.events.count)
            }
        } catch {
            guard batch.count > 1 else { return batch[0].answer.resume(throwing: error) }
            for waiter in batch {
                do {
                    waiter.answer.resume(returning: try await notifier.ingest(waiter.events))
                } catch {
                    waiter.answer.resume(throwing: error)
                }
            }
        }
    }
}
