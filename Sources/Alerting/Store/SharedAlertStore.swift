import Foundation

/// A store several notify instances share over a network (PostgreSQL): it can say what time the
/// database thinks it is, and wake an instance when another recorded work.
public protocol SharedAlertStore: AlertStore {
    /// The database server's clock: claims and due times are read against it, so an instance
    /// whose own clock is off neither fires early (twice) nor late (starved).
    func databaseNow() async throws -> Date

    /// Calls `onWork` each time a transaction of any instance records work (a page to send, a
    /// step scheduled), until the task is cancelled or the connection is lost (then it throws).
    func listenForWork(_ onWork: @escaping @Sendable () -> Void) async throws
}
