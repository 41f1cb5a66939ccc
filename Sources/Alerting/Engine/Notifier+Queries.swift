import Foundation

/// What people, the command line and the server read: asked of the notifier, not of its store,
/// so that every reader applies the engine's rules and clock (a silence expires at the
/// notifier's now; a standing reads next steps as the engine schedules them).
extension Notifier {
    /// The alert with this id, if there is one.
    public func alert(id: Int64) async throws -> Alert? {
        try await store.alert(id: id)
    }

    /// Where each alert whose status is one of `statuses` stands, newest first: what `notify
    /// list` prints.
    public func standings(statuses: Set<AlertStatus>) async throws -> [AlertStanding] {
        try await store.standings(statuses: statuses)
    }

    /// Where one alert stands: what `notify show` prints above its timeline.
    public func standing(alertID: Int64) async throws -> AlertStanding? {
        try await store.standing(alertID: alertID)
    }

    /// One alert's events and delivery attempts in time order.
    public func timeline(alertID: Int64) async throws -> Timeline {
        try await Timeline.load(alertID: alertID, from: store)
    }

    /// How many alerts are in each of `statuses` (the `notify_alerts` gauge).
    public func alertCounts(statuses: [AlertStatus]) async throws -> [AlertStatus: Int] {
        try await store.read { transaction in
            var counts: [AlertStatus: Int] = [:]
            for status in statuses { counts[status] = try transaction.alerts(statuses: [status]).count }
            return counts
        }
    }

    /// The alert of the latest delivery made to `contact` through one of `channels`: what a
    /// bare "ACK" texted back by that person means.
    public func lastAlertDelivered(to contact: String, channels: [String]) async throws -> Int64? {
        try await store.lastAlertDelivered(to: contact, channels: channels)
    }

    /// When there is next something to do; nil when nothing is scheduled. It reads the store,
    /// so it also says whether the store answers (`/healthz`).
    public func nextWakeUp() async throws -> Date? {
        try await store.nextWakeUp()
    }

    /// Whether the store is shared with other instances over a network (PostgreSQL).
    public var sharesState: Bool { store is any SharedAlertStore }

    // MARK: Silences

    /// Stores a silence and returns it with its id.
    public func addSilence(_ silence: Silence) async throws -> Silence {
        try await store.addSilence(silence)
    }

    /// The stored silences not yet over at `date` (all of them with nil), and the ones that
    /// cannot be read (they silence nothing).
    public func silences(notEndedAt date: Date?) async throws -> (silences: [Silence], unreadable: [UnreadableSilence]) {
        try await store.silenceReadings(notEndedAt: date)
    }

    /// Ends a silence now. False when there is no such silence or it was already over.
    public func expireSilence(id: Int64) async throws -> Bool {
        try await store.expireSilence(id: id, at: clock.now())
    }
}
