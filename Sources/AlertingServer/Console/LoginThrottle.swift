import Alerting
import Foundation

/// Failed sign-ins counted per name and per address: after `attempts` failures within `window`,
/// further sign-ins under that name or from that address are refused (429) until the oldest
/// failure leaves the window. A name that does not exist is counted as one that does, so the
/// answer does not tell which names exist.
final class LoginThrottle: Sendable {
    private let failures = LockedBox<[String: [Date]]>([:])
    let attempts: Int
    let window: Duration

    init(attempts: Int, window: Duration) {
        self.attempts = attempts
        self.window = window
    }

    /// When sign-ins for `name` from `address` may be tried again; nil: now.
    func blockedUntil(name: String, address: String, at now: Date) -> Date? {
        failures.withLock { table in
            let since = now - window.timeInterval
            var until: Date?
            for key in Self.keys(name: name, address: address) {
                let recent = (table[key] ?? []).filter { $0 > since }
                table[key] = recent.isEmpty ? nil : recent
                if recent.count >= attempts, let oldest = recent.first {
                    until = max(until ?? .distantPast, oldest + window.timeInterval)
                }
            }
            return until
        }
    }

    func recordFailure(name: String, address: String, at now: Date) {
        failures.withLock { table in
            for key in Self.keys(name: name, address: address) { table[key, default: []].append(now) }
        }
    }

    private static func keys(name: String, address: String) -> [String] {
        ["name:" + name.lowercased(), "address:" + address]
    }
}
