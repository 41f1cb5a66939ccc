import Foundation

/// Change events: kept, never paged.
public protocol ChangeRows: AnyObject {
    /// - Returns: the id the store gave it.
    func insertChange(_ change: ChangeEvent) throws -> Int64
    /// Changes whose time is within `from...to`, oldest first.
    func changes(from: Date, to: Date) throws -> [ChangeEvent]
}
