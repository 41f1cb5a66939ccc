import Foundation

/// On-call overrides people added (the console's "I take Saturday for bob"); the config's own
/// overrides are not stored.
public protocol OverrideRows: AnyObject {
    /// Stores a new override (its `id` is ignored) and returns its id.
    func insertOverride(_ override: ScheduleOverride) throws -> Int64
    /// Overrides whose end is after `date` (all with nil), by id.
    func overrides(endingAfter date: Date?) throws -> [ScheduleOverride]
    /// Removes one; false when there was none with this id.
    func deleteOverride(id: Int64) throws -> Bool
}
