import Foundation

/// What is counted per contact: messages sent against their throttle, and the alerts that paged
/// them for storm control (with the pages held for their digest).
public protocol LedgerRows: AnyObject {
    /// Locks one contact's ledger until the transaction ends: taken before the ledger is read,
    /// so that two instances counting the same person take turns (a ledger has no row to lock
    /// before its first entry).
    func lockLedger(_ ledger: Ledger) throws

    // MARK: Throttles
    /// When messages went to `contact` by `medium`, oldest first.
    func throttleSends(contact: String, medium: ContactMedium) throws -> [Date]
    func insertThrottleSend(contact: String, medium: ContactMedium, at date: Date) throws
    func deleteThrottleSends(contact: String, medium: ContactMedium, notAfter date: Date) throws

    // MARK: Storm control
    /// Which alerts paged `contact` when, oldest first.
    func contactPages(contact: String) throws -> [ContactPage]
    func insertContactPage(_ page: ContactPage) throws
    func deleteContactPages(contact: String, notAfter date: Date) throws
    /// Pages held for `contact`'s digest, in the order they were held.
    func heldPages(contact: String) throws -> [HeldPage]
    /// Holds a page; a page of the same alert already held for the contact stays as it is.
    func insertHeldPage(_ page: HeldPage) throws
    func deleteHeldPages(contact: String) throws
    /// Contacts with a held page whose digest is due at `now`, by name.
    func contactsWithDigestDue(at now: Date) throws -> [String]
    func earliestDigest() throws -> Date?
}

/// One contact's ledger, as ``LedgerRows/lockLedger(_:)`` names it.
public enum Ledger: Sendable, Hashable, CustomStringConvertible {
    /// Messages sent to a contact by one medium (``ThrottleGate``).
    case throttle(contact: String, medium: ContactMedium)
    /// The alerts that paged a contact and the pages held for their digest (``StormGate``).
    case storm(contact: String)

    /// A name for the lock, the same in every process.
    public var description: String {
        switch self {
        case .throttle(let contact, let medium): "throttle \(contact) \(medium.rawValue)"
        case .storm(let contact): "storm \(contact)"
        }
    }
}
