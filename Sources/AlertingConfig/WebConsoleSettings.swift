import Alerting
import Foundation

/// `server.console:` in the config: how people sign in to the web console `notify serve`
/// shows under `/console`, and the secret its calendar feeds' URLs are signed with.
public struct WebConsoleSettings: Sendable {
    /// How long a sign-in lasts (`session_ttl`); a session unused this long is over too.
    public var sessionLifetime: Duration = .seconds(12 * 3600)
    /// Password hashes (bcrypt, as `htpasswd -B` or `notify passwd` makes them) by contact
    /// name: `password_hash:` in a contact.
    public var passwordHashes: [String: Secret] = [:]
    /// The header a reverse proxy that signs people in sets to their name or email
    /// (`trusted_header`, oauth2-proxy's `X-Forwarded-Email` or `X-Forwarded-User`)...
    public var trustedHeader: String?
    /// ...believed only from these addresses (`trusted_proxies`): the proxy's own.
    public var trustedProxies: [String] = []
    /// Signs the calendar feeds' URLs (`feed_secret`; `server.action_secret` when unset). A new
    /// secret gives every feed a new URL: the old ones stop working.
    public var feedSecret: Secret?
    /// Failed sign-ins allowed per name and per address in ``loginWindow`` before the next is
    /// refused with 429 (`login_attempts`).
    public var loginAttempts = 5
    public var loginWindow: Duration = .seconds(15 * 60)

    public init() {}
}
