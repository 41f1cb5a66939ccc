/// Work a notifier started after a commit and did not wait for (withdrawing pages from
/// devices): kept so that a command waits for it before it exits.
final class PendingWork: Sendable {
    private let tasks = LockedBox<[Int: Task<Void, Never>]>([:])
    private let next = LockedBox(0)

    func start(_ work: @escaping @Sendable () async -> Void) {
        let id = next.withLock { value in value += 1; return value }
        let task = Task { [tasks] in
            await work()
            _ = tasks.withLock { $0.removeValue(forKey: id) }
        }
        tasks.withLock { $0[id] = task }
    }

    func finish() async {
        while let running = tasks.withLock({ $0.values.first }) { await running.value }
    }
}
