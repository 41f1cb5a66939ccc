import Foundation

/// Storm control: when more than `maxNewAlerts` different alerts would page the same contact
/// within `window` (on any medium), the rest are held and sent as one digest.
///
/// The per-medium ``ThrottleRule`` caps how many messages reach a phone; this caps how many
/// *alerts* reach a person, so fifty hosts failing at once is one page that says fifty, not
/// fifty pages. Unlike the throttle ledger it lives in the state store: several `notify send`
/// runs count together, and a held page survives a restart.
public struct StormControl: Sendable, Hashable, CustomStringConvertible {
    /// Different alerts one contact is paged for, one by one, within `window`.
    public var maxNewAlerts: Int
    public var window: Duration
    /// How long a digest gathers held alerts before it goes out (Alertmanager's `group_wait`):
    /// the rest of a burst joins the same digest instead of starting another.
    public var digestWait: Duration

    public init(maxNewAlerts: Int, window: Duration, digestWait: Duration = .seconds(60)) {
        self.maxNewAlerts = max(1, maxNewAlerts)
        self.window = window
        self.digestWait = digestWait
    }

    public var description: String {
        "at most \(maxNewAlerts) alerts per contact per \(DurationParser.format(window)); then one digest every \(DurationParser.format(digestWait))"
    }
}

/// What storm control says about one page to one contact.
public enum StormAdmission: Sendable, Hashable {
    /// Page them: the alert already paged them in the window, or there is room for a new one.
    case send
    /// Held: it goes out in the contact's digest at `digestAt`.
    case held(digestAt: Date)
}
