import Foundation

/// The running notify processes, as each last reported itself.
public protocol InstanceRows: AnyObject {
    /// Inserts or replaces the row of `instance.owner`.
    func saveInstance(_ instance: InstanceRow) throws
    /// Every instance that reported, by owner.
    func instances() throws -> [InstanceRow]
    func deleteInstance(owner: String) throws
}
