import Foundation

/// One notification that was held back (by a throttle or storm control) and that a later
/// message carries.
public struct DigestItem: Sendable, Hashable {
    public var alertID: Int64
    public var summary: String
    public var at: Date

    public init(alertID: Int64, summary: String, at: Date) {
        self.alertID = alertID
        self.summary = summary
        self.at = at
    }
}

/// What a message carries about the notifications held back before it.
public struct Digest: Sendable, Hashable {
    public var items: [DigestItem]

    public var count: Int { items.count }
    /// When the earliest of them was first seen.
    public var since: Date? { items.map(\.at).min() }
}
