import Foundation

/// Set once, when the process is asked to stop (SIGTERM, SIGINT): the engine claims nothing
/// more, a delivery waiting to retry stops waiting, an attempt on the wire finishes (within the
/// delivery timeout), and what was not delivered goes back to the outbox at once, for the next
/// run or another instance.
public final class StopSignal: Sendable {
    private let state = LockedBox<(stopped: Bool, waiters: [Int: CheckedContinuation<Void, Never>], next: Int, actions: [@Sendable () -> Void])>(
        (false, [:], 0, []))

    public init() {}

    public var isStopped: Bool { state.withLock { $0.stopped } }

    public func stop() {
        let (waiters, actions) = state.withLock { state -> ([CheckedContinuation<Void, Never>], [@Sendable () -> Void]) in
            guard !state.stopped else { return ([], []) }
            state.stopped = true
            defer {
                state.waiters.removeAll()
                state.actions.removeAll()
            }
            return (Array(state.waiters.values), state.actions)
        }
        waiters.forEach { $0.resume() }
        actions.forEach { $0() }
    }

    /// Runs `action` when stopped (at once if it is already).
    public func whenStopped(_ action: @escaping @Sendable () -> Void) {
        let now = state.withLock { state -> Bool in
            guard !state.stopped else { return true }
            state.actions.append(action)
            return false
        }
        if now { action() }
    }

    /// Waits for `duration` on `clock`, or until stopped, whichever is first. True when stopped.
    public func sleep(for duration: Duration, clock: any AlertingClock) async -> Bool {
        guard !isStopped else { return true }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await clock.sleep(for: duration) }
            group.addTask { await self.waitForStop() }
            await group.next()
            group.cancelAll()
        }
        return isStopped
    }

    /// Returns once stopped (or when the task is cancelled).
    public func waitForStop() async {
        let key = state.withLock { state -> Int in
            state.next += 1
            return state.next
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.stopped || Task.isCancelled { return true }
                    state.waiters[key] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: key) }
            waiter?.resume()
        }
    }
}
