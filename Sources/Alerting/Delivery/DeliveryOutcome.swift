import Foundation

/// What one delivery attempt came to. The transient/permanent split is in the type, so the
/// retry logic never has to read log messages.
public enum DeliveryOutcome: Sendable, Hashable {
    /// The provider took it. `providerID` is its message id, when it gives one.
    case delivered(providerID: String?)
    /// Worth trying again: 429, 5xx, timeouts, refused connections. `retryAfter` is the
    /// provider's own wait (`Retry-After`), when it gave one.
    case retryable(reason: String, retryAfter: Duration?)
    /// Trying again will not help (a 404 channel, a bad request): fix the config.
    case permanent(reason: String)
    /// Not sent: the contact's throttle for this medium is full. Not lost either: the next
    /// message to them after `nextAllowed` carries it in its digest.
    case throttled(nextAllowed: Date)

    public var isDelivered: Bool {
        if case .delivered = self { return true }
        return false
    }

    /// The reason of a failure; nil when delivered.
    public var reason: String? {
        switch self {
        case .delivered: nil
        case .retryable(let reason, _), .permanent(let reason): reason
        case .throttled(let nextAllowed): "throttled until \(nextAllowed.formatted(Date.ISO8601FormatStyle()))"
        }
    }

    /// The label of a permanent failure, as stored.
    public static let permanentLabel = "permanent"

    /// `delivered`, `retryable`, `permanent` or `throttled`.
    public var label: String {
        switch self {
        case .delivered: "delivered"
        case .retryable: "retryable"
        case .permanent: "permanent"
        case .throttled: "throttled"
        }
    }
}
