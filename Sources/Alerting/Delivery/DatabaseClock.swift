import Foundation

/// The time as a shared database tells it: the local clock plus the offset to the database's,
/// measured at start and every minute. Every instance on one database then agrees on what is
/// due and when a lease ends, whatever its own clock says: a node running an hour fast neither
/// fires steps early (and twice) nor takes claims that are still held; one running slow is not
/// starved.
public final class DatabaseClock: AlertingClock, @unchecked Sendable {
    private let local: any AlertingClock
    private let offset = LockedBox<TimeInterval>(0)
    private var refresh: Task<Void, Never>?

    /// Measures the offset (nothing is corrected while the database cannot be reached) and
    /// keeps it up to date until the clock goes away.
    public init(store: any SharedAlertStore, local: any AlertingClock = SystemClock(), every interval: Duration = .seconds(60)) async {
        self.local = local
        await measure(store)
        refresh = Task { [weak self] in
            while (try? await Task.sleep(for: interval)) != nil {
                guard let self else { return }
                await self.measure(store)
            }
        }
    }

    deinit { refresh?.cancel() }

    /// The database's clock minus the local one, in seconds.
    public var measuredOffset: TimeInterval { offset.withLock { $0 } }

    public func now() -> Date { local.now() + measuredOffset }

    public func sleep(for duration: Duration) async throws { try await local.sleep(for: duration) }

    /// The database's time against the middle of the round trip that read it.
    private func measure(_ store: any SharedAlertStore) async {
        let sent = local.now()
        guard let database = try? await store.databaseNow() else { return }
        let received = local.now()
        offset.withLock { $0 = database.timeIntervalSince(sent + received.timeIntervalSince(sent) / 2) }
    }
}
