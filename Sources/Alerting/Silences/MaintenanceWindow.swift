import Foundation

/// Planned maintenance from the config: while a window is open, alerts that match it page
/// nobody, exactly as under a silence (they are recorded, and escalate when it closes).
public struct MaintenanceWindow: Sendable, Hashable {
    public enum When: Sendable, Hashable {
        /// Once, between two instants.
        case once(from: Date, until: Date)
        /// Every week on these days (1 = Sunday ... 7 = Saturday, as `Calendar` counts), from
        /// one local time of day to another (the window may run past midnight).
        case weekly(days: Set<Int>, from: DateComponents, until: DateComponents)
    }

    public var name: String
    public var matchers: [RouteMatcher]
    public var timeZone: TimeZone
    public var when: When

    public init(name: String, matchers: [RouteMatcher], timeZone: TimeZone = .gmt, when: When) {
        self.name = name
        self.matchers = matchers
        self.timeZone = timeZone
        self.when = when
    }

    /// The window containing `date`, if one is open then.
    public func openWindow(at date: Date) -> (start: Date, end: Date)? {
        switch when {
        case .once(let from, let until):
            return from <= date && date < until ? (from, until) : nil
        case .weekly(let days, let from, let until):
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            // A window that opened yesterday may still be open (it runs past midnight).
            for back in 0...1 {
                guard let day = calendar.date(byAdding: .day, value: -back, to: date) else { continue }
                let weekday = calendar.component(.weekday, from: day)
                guard days.contains(weekday),
                      let start = calendar.date(bySettingHour: from.hour ?? 0, minute: from.minute ?? 0, second: 0, of: day),
                      var end = calendar.date(bySettingHour: until.hour ?? 0, minute: until.minute ?? 0, second: 0, of: day) else { continue }
                if end <= start { end = calendar.date(byAdding: .day, value: 1, to: end) ?? end }
                if start <= date && date < end { return (start, end) }
            }
            return nil
        }
    }

    /// The window open at `date` as a silence (id 0, its name as the comment). A window with no
    /// matcher silences nothing (the config refuses one; a library user may build one).
    public func silence(at date: Date) -> Silence? {
        guard let window = openWindow(at: date) else { return nil }
        return try? Silence(id: 0, matchers: matchers, startsAt: window.start, endsAt: window.end, comment: "maintenance \(name)")
    }

    public static let dayNames = ["sun": 1, "mon": 2, "tue": 3, "wed": 4, "thu": 5, "fri": 6, "sat": 7]
}
