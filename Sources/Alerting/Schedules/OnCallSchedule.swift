import Foundation

/// Who is on call, when: rotations of contacts in a timezone, and overrides.
///
/// Daily and weekly shifts are calendar shifts in the schedule's timezone: a weekly handoff at
/// Monday 09:00 stays at 09:00 local across daylight-saving changes (that week is an hour
/// shorter or longer). Hourly shifts and other durations are fixed lengths of time.
public struct OnCallSchedule: Sendable, Hashable {
    public enum Shift: Sendable, Hashable, CustomStringConvertible {
        case days(Int)
        case fixed(Duration)

        public static let daily = Shift.days(1)
        public static let weekly = Shift.days(7)

        public var description: String {
            switch self {
            case .days(1): "daily"
            case .days(7): "weekly"
            case .days(let n): "every \(n) days"
            case .fixed(let duration): "every \(DurationParser.format(duration))"
            }
        }
    }

    public struct Rotation: Sendable, Hashable {
        public var name: String
        /// Contact names, in turn order.
        public var members: [String]
        public var shift: Shift
        /// A handoff: the first member's shift starts here (and every shift length from it).
        public var start: Date

        public init(name: String, members: [String], shift: Shift, start: Date) {
            self.name = name
            self.members = members
            self.shift = shift
            self.start = start
        }
    }

    /// `member` is on call instead of everyone else from `from` until `until`.
    public struct Override: Sendable, Hashable {
        public var member: String
        public var from: Date
        public var until: Date

        public init(member: String, from: Date, until: Date) {
            self.member = member
            self.from = from
            self.until = until
        }
    }

    /// One stretch of time with the same people on call.
    public struct OnCallShift: Sendable, Hashable, Encodable {
        public var members: [String]
        public var start: Date
        public var end: Date
        /// The rotation, or `override`.
        public var source: String
    }

    public var name: String
    public var timeZone: TimeZone
    public var rotations: [Rotation]
    public var overrides: [Override]

    public init(name: String, timeZone: TimeZone, rotations: [Rotation], overrides: [Override] = []) {
        self.name = name
        self.timeZone = timeZone
        self.rotations = rotations
        self.overrides = overrides
    }

    private var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    /// The contacts on call at `date` (an override replaces everyone; rotations add up).
    public func onCall(at date: Date) -> [String] {
        if let override = overrides.last(where: { $0.from <= date && date < $0.until }) { return [override.member] }
        var members: [String] = []
        for rotation in rotations {
            if let shift = shift(of: rotation, containing: date), !members.contains(shift.members[0]) {
                members.append(shift.members[0])
            }
        }
        return members
    }

    /// The shift of `rotation` that contains `date`.
    public func shift(of rotation: Rotation, containing date: Date) -> OnCallShift? {
        guard !rotation.members.isEmpty else { return nil }
        let index = shiftIndex(rotation, at: date)
        let start = shiftStart(rotation, index: index)
        let end = shiftStart(rotation, index: index + 1)
        let member = rotation.members[((index % rotation.members.count) + rotation.members.count) % rotation.members.count]
        return OnCallShift(members: [member], start: start, end: end, source: rotation.name)
    }

    /// The next `count` stretches from `date` on, each with who is on call, overrides included.
    public func upcoming(from date: Date, count: Int) -> [OnCallShift] {
        var shifts: [OnCallShift] = []
        var cursor = date
        while shifts.count < count {
            let members = onCall(at: cursor)
            let end = nextChange(after: cursor) ?? cursor.addingTimeInterval(365 * 86_400)
            let override = overrides.contains { $0.from <= cursor && cursor < $0.until }
            shifts.append(OnCallShift(members: members, start: cursor, end: end, source: override ? "override" : rotations.map(\.name).joined(separator: "+")))
            cursor = end
        }
        return shifts
    }

    /// The stretches from `start` until `end`, each with who is on call, overrides included (the
    /// last cut at `end`, neighbours with the same people from the same source joined): a
    /// calendar's view.
    public func shifts(from start: Date, until end: Date) -> [OnCallShift] {
        var shifts: [OnCallShift] = []
        var cursor = start
        while cursor < end, let next = upcoming(from: cursor, count: 1).first {
            var shift = next
            shift.end = min(shift.end, end)
            // A handoff under an override, or to the same person, changes nothing a reader sees.
            if let last = shifts.last, last.members == shift.members, last.source == shift.source, last.end == shift.start {
                shifts[shifts.count - 1].end = shift.end
            } else {
                shifts.append(shift)
            }
            cursor = next.end
        }
        return shifts
    }

    /// The next instant after `date` when who is on call may change.
    func nextChange(after date: Date) -> Date? {
        var candidates: [Date] = []
        for rotation in rotations where !rotation.members.isEmpty {
            candidates.append(shiftStart(rotation, index: shiftIndex(rotation, at: date) + 1))
        }
        for override in overrides {
            if override.from > date { candidates.append(override.from) }
            if override.until > date { candidates.append(override.until) }
        }
        return candidates.filter { $0 > date }.min()
    }

    private func shiftIndex(_ rotation: Rotation, at date: Date) -> Int {
        switch rotation.shift {
        case .fixed(let length):
            return Int((date.timeIntervalSince(rotation.start) / length.timeInterval).rounded(.down))
        case .days(let days):
            // Whole local days since the handoff, counted by the calendar (DST-aware).
            var index = (calendar.dateComponents([.day], from: rotation.start, to: date).day ?? 0) / days
            // dateComponents rounds toward zero: before the start, step back to the shift that contains date.
            while shiftStart(rotation, index: index) > date { index -= 1 }
            while shiftStart(rotation, index: index + 1) <= date { index += 1 }
            return index
        }
    }

    private func shiftStart(_ rotation: Rotation, index: Int) -> Date {
        switch rotation.shift {
        case .fixed(let length):
            return rotation.start.addingTimeInterval(Double(index) * length.timeInterval)
        case .days(let days):
            return calendar.date(byAdding: .day, value: index * days, to: rotation.start) ?? rotation.start
        }
    }
}
