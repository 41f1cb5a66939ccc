/// `oncall:SCHEDULE` in a `to:` list: whoever is on call in the schedule when the step fires.
public enum OnCallTarget {
    public static let prefix = "oncall:"

    /// The schedule's name, when `name` is an on-call target.
    public static func scheduleName(_ name: String) -> String? {
        name.hasPrefix(prefix) ? String(name.dropFirst(prefix.count)) : nil
    }
}
