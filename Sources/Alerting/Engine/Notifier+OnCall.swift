import Foundation

/// Who is on call, with the overrides people added while notify runs: what `notify oncall`, the
/// console and the calendar feeds read, and what an `oncall:` target pages.
extension Notifier {
    /// The config's schedules by name, each with the stored overrides that end after `date`.
    public func onCallSchedules(overridesEndingAfter date: Date) async throws -> [String: OnCallSchedule] {
        let stored = try await store.read { try $0.overrides(endingAfter: date) }
        return schedules.mapValues { $0.adding(stored) }
    }

    /// The stored overrides not yet over at `date` (all of them with nil), oldest first.
    public func overrides(notEndedAt date: Date?) async throws -> [ScheduleOverride] {
        try await store.read { try $0.overrides(endingAfter: date) }
    }

    /// Stores an override: `member` is on call in `schedule` from `from` until `until`, instead
    /// of whoever the rotations say. The schedule and the contact must exist, and it must end
    /// after it starts and after now.
    public func addOverride(schedule: String, member: String, from: Date, until: Date, by person: String?) async throws -> ScheduleOverride {
        guard schedules[schedule] != nil else { throw OverrideError("there is no schedule named \"\(schedule)\"") }
        guard contacts[member] != nil else { throw OverrideError("there is no contact named \"\(member)\"") }
        guard until > from else { throw OverrideError("it must end after it starts") }
        let now = clock.now()
        guard until > now else { throw OverrideError("it is already over") }
        var override = ScheduleOverride(schedule: schedule, member: member, from: from, until: until, createdBy: person, createdAt: now)
        override.id = try await store.write { [override] in try $0.insertOverride(override) }
        // A page due under the old schedule is resolved when its step fires, so nothing else to wake.
        return override
    }

    /// Removes a stored override. False when there was none with this id.
    public func removeOverride(id: Int64) async throws -> Bool {
        try await store.write { try $0.deleteOverride(id: id) }
    }
}

/// An override that cannot be added, and why.
public struct OverrideError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
