import Foundation

/// The store did not answer in time.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    public var deadline: Duration
    public var description: String { "no answer within \(DurationParser.brief(deadline))" }
}

/// Runs `body`, or throws ``DeadlineExceeded`` once `deadline` has passed without an answer.
/// The body runs in a task of its own and is only asked to cancel: a store waiting on a
/// network that dropped its packets does not give up at once, and the caller must not wait
/// for it.
public func withDeadline<T: Sendable>(_ deadline: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let waiting = LockedBox<CheckedContinuation<T, any Error>?>(nil)
    @Sendable func finish(_ result: Result<T, any Error>) {
        let continuation = waiting.withLock { stored -> CheckedContinuation<T, any Error>? in
            defer { stored = nil }
            return stored
        }
        continuation?.resume(with: result)
    }
    return try await withCheckedThrowingContinuation { continuation in
        waiting.withLock { $0 = continuation }
        let work = Task {
            do { finish(.success(try await body())) } catch { finish(.failure(error)) }
        }
        Task {
            try? await Task.sleep(for: deadline)
            finish(.failure(DeadlineExceeded(deadline: deadline)))
            work.cancel()
        }
    }
}
