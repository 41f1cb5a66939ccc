/// At most `limit` notifications in any `window` (a sliding window).
public struct ThrottleRule: Sendable, Hashable, CustomStringConvertible {
    public var limit: Int
    public var window: Duration

    public init(limit: Int, window: Duration) {
        self.limit = max(1, limit)
        self.window = window
    }

    /// In the spirit of GoAlert's: voice 3 per 15 minutes, SMS 5 per 15 minutes. A message
    /// that costs nothing and does not ring through the night (a push, a chat, an email):
    /// 10 per 15 minutes, the rest in digests.
    public static func defaultRule(for medium: ContactMedium) -> ThrottleRule {
        switch medium {
        case .sms: ThrottleRule(limit: 5, window: .seconds(15 * 60))
        case .voice: ThrottleRule(limit: 3, window: .seconds(15 * 60))
        default: ThrottleRule(limit: 10, window: .seconds(15 * 60))
        }
    }

    public var description: String { "\(limit) per \(DurationParser.format(window))" }
}
