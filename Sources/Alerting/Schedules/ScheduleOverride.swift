import Foundation

/// An override someone added while notify runs ("I take Saturday for bob"), kept in the state
/// beside the config's own: `member` is on call in `schedule` instead of everyone else from
/// `from` until `until`. A stored override wins over the config's and over older stored ones.
public struct ScheduleOverride: Sendable, Hashable, Encodable {
    public var id: Int64
    public var schedule: String
    public var member: String
    public var from: Date
    public var until: Date
    /// Who added it (the signed-in person, or `--by`).
    public var createdBy: String?
    public var createdAt: Date

    public init(id: Int64 = 0, schedule: String, member: String, from: Date, until: Date, createdBy: String? = nil, createdAt: Date) {
        self.id = id
        self.schedule = schedule
        self.member = member
        self.from = from
        self.until = until
        self.createdBy = createdBy
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, schedule, member, from, until, createdBy = "created_by", createdAt = "created_at"
    }
}

extension OnCallSchedule {
    /// This schedule with the stored overrides of it added after the config's, oldest first, so
    /// that the newest one in force decides (``onCall(at:)`` takes the last that matches).
    public func adding(_ stored: [ScheduleOverride]) -> OnCallSchedule {
        var schedule = self
        for override in stored.sorted(by: { $0.id < $1.id }) where override.schedule == name {
            schedule.overrides.append(Override(member: override.member, from: override.from, until: override.until))
        }
        return schedule
    }
}
