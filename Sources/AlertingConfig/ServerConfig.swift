import Alerting
import Foundation

/// `server:` in the config: how `notify serve` listens, who may send it events, and the
/// secrets it checks callbacks from Slack and Twilio with.
public struct ServerConfig: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// The address Slack and Twilio call back (`https://notify.example.com`): Twilio signs the
    /// URL it called, so signatures are checked against this, not against the listening address.
    public var publicURL: String?
    /// Bearer token for `/v1/events` and `/v1/alertmanager`; nil with `auth: none`.
    public var token: Secret?
    /// `auth: none`: no token asked for; allowed only on a loopback address.
    public var authDisabled = false
    /// The largest request body taken, in bytes (larger: 413).
    public var maxBodyBytes = 1 << 20
    /// A connection with no request in progress for this long is closed, so idle and half-open
    /// connections cannot use up the descriptors the next sender needs.
    public var idleTimeout: Duration = .seconds(30)
    /// The connections held at most (`max_connections`); beyond it a new connection may only
    /// ask `/healthz`. Nil: the open-file limit (raised to the hard one at start) less 256 for
    /// the store, the providers and the health checks, at most 10,000.
    public var maxConnections: Int?
    /// Integrations by routing key: PagerDuty-style senders name one in `routing_key`
    /// (`/v2/enqueue`); its key also works as a bearer token on the other event endpoints.
    public var integrations: [Integration] = []
    public var slackSigningSecret: Secret?
    /// Signs the acknowledgement buttons and links notify puts in messages (Mattermost, and
    /// the channels that follow): every instance needs the same one. Nil: no such buttons.
    public var actionSecret: Secret?
    /// What Telegram sends in `X-Telegram-Bot-Api-Secret-Token` with every webhook request (the
    /// `secret_token` given to `setWebhook`); nil: `/telegram/webhook` is not served.
    public var telegramSecretToken: Secret?
    /// Tokens Twilio callbacks may be signed with; empty: the Twilio channels' auth tokens.
    public var twilioAuthTokens: [Secret] = []
    public var alertmanager = AlertmanagerMapping()
    /// The web console under `/console` (`console:`), and who may sign in to it.
    public var console = WebConsoleSettings()

    public struct Integration: Sendable, Hashable {
        public var name: String
        public var key: Secret
        /// Set on every event that comes through it, unless the event names its own.
        public var environment: String?

        public init(name: String, key: Secret, environment: String? = nil) {
            self.name = name
            self.key = key
            self.environment = environment
        }
    }

    public init() {}

    public var isLoopback: Bool { Self.isLoopback(host) }

    /// The path `public_url` puts notify under behind a reverse proxy (`/notify` for
    /// `https://ops.example.com/notify`); empty when it is at the root.
    public var pathPrefix: String {
        guard let publicURL, let url = URL(string: publicURL) else { return "" }
        let path = url.path
        return path == "/" ? "" : (path.hasSuffix("/") ? String(path.dropLast()) : path)
    }

    /// Tokens that examples and tutorials use: anyone can guess them, so they are refused on an
    /// address other hosts can reach (Examples/serve.yaml's `change-me` among them).
    public static let placeholderTokens: Set<String> = ["change-me", "changeme", "change_me", "secret", "token", "example", "password", "test", "<token>", "your-token"]

    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Parses `HOST:PORT`, `:PORT` or `PORT` (`[::1]:8080` for IPv6).
    public static func parseListen(_ text: String) -> (host: String, port: Int)? {
        var host = "127.0.0.1"
        var portText = text
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            portText = String(text[text.index(after: close)...]).trimmingPrefix(":").description
        } else if let colon = text.lastIndex(of: ":") {
            let name = String(text[..<colon])
            if !name.isEmpty { host = name }
            portText = String(text[text.index(after: colon)...])
        }
        guard let port = Int(portText), (0...65535).contains(port), !host.isEmpty else { return nil }
        return (host, port)
    }
}

/// How an Alertmanager alert's labels and annotations become a notify event: for each field,
/// the label (or, for the summary, annotation) names tried in order.
public struct AlertmanagerMapping: Sendable, Hashable {
    /// Label names for the kind; the first present is used, made a valid kind name
    /// (`HighLatency` → `high_latency`). None present: `alertmanager`.
    public var kind = ["kind", "alertname"]
    public var severity = ["severity"]
    /// Label values that are not notify severities, mapped onto one (`page: critical`).
    public var severityMap: [String: Severity] = ["page": .critical, "warn": .warning, "high": .critical, "low": .info, "none": .info]
    public var environment = ["environment", "env"]
    public var source = ["source", "instance", "job"]
    /// Annotation names for the summary; none present: the alertname label.
    public var summary = ["summary", "description", "message"]

    public init() {}
}
