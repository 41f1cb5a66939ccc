import Foundation

/// The time, for everything in the engine that reads it or waits. Injected so that retries and
/// escalations are tested in milliseconds with ``ManualClock``.
public protocol AlertingClock: Sendable {
    func now() -> Date
    func sleep(for duration: Duration) async throws
}

/// The real time.
public struct SystemClock: AlertingClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(for duration: Duration) async throws {
        try await Task.sleep(for: duration)
    }
}

/// A clock that moves only when told to. `sleep` returns at once and moves the clock by the
/// duration, so code that backs off for a minute runs instantly and the test can read how long
/// it would have waited.
public final class ManualClock: AlertingClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    private var slept: [Duration] = []

    public init(now: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        self.current = now
    }

    public func now() -> Date { lock.withLock { current } }

    public func advance(by duration: Duration) {
        lock.withLock { current += duration.timeInterval }
    }

    public func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        lock.withLock {
            slept.append(duration)
            current += duration.timeInterval
        }
    }

    /// Every duration passed to `sleep`, in order.
    public var sleeps: [Duration] { lock.withLock { slept } }
}

extension Duration {
    /// The duration in seconds, as Foundation counts time.
    public var timeInterval: TimeInterval {
        let parts = components
        return TimeInterval(parts.seconds) + TimeInterval(parts.attoseconds) / 1e18
    }
}
