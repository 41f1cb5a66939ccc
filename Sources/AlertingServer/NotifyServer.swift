import Alerting
import AlertingConfig
import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle

/// `notify serve`: takes events over HTTP (notify's own, Alertmanager's webhook, PagerDuty
/// Events v2), takes acknowledgements from Slack buttons, SMS replies and keypad presses, and
/// runs the escalation scheduler in the same process.
///
/// Build one from a ``Notifier`` (usually a ``NotifyRuntime``'s), then ``run()`` it; SIGTERM or
/// SIGINT shut it down gracefully (requests in flight and deliveries finish).
public struct NotifyServer: Sendable {
    public let notifier: Notifier
    public let config: ServerConfig
    /// Where `/metrics` reads from; give the same registry's factory to the ``Notifier``'s
    /// ``NotifyMetrics`` so engine metrics appear there too.
    public let registry: PrometheusCollectorRegistry
    let httpClient: HTTPClient
    let logger: Logger
    let wake = WakeSignal()
    /// The scheduler's view of the store: `/healthz` answers 503 while it fails.
    let engineHealth = EngineHealth()
    let twilio: TwilioSignature
    let slack: SlackSignature?
    let decoder: EventDecoder
    /// Concurrent requests' events share transactions (group commit).
    let groupCommit: GroupCommit
    /// The web console under `/console`.
    let console: WebConsole
    /// Pinged by the scheduler while it reaches the store (`dead_man_switch:`).
    public var deadManSwitch: DeadMansSwitch?

    /// - Parameter twilioAuthTokens: tokens of the Twilio channels, used when the config names none.
    public init(notifier: Notifier, config: ServerConfig, registry: PrometheusCollectorRegistry, httpClient: HTTPClient,
                twilioAuthTokens: [Secret] = [], logger: Logger = Logger(label: "notify.serve")) throws {
        if config.authDisabled, !config.isLoopback {
            throw ConfigError(path: "server.auth", "auth: none is only allowed when listening on a loopback address, not \(config.host)")
        }
        if let token = config.token, !config.isLoopback, ServerConfig.placeholderTokens.contains(token.exposedValue.lowercased()) {
            throw ConfigError(path: "server.token", "an example's placeholder token is only allowed on a loopback address, not \(config.host): set NOTIFY_SERVER_TOKEN (or server.token) to a secret of your own")
        }
        self.notifier = notifier
        self.config = config
        self.registry = registry
        self.httpClient = httpClient
        self.logger = logger
        self.twilio = TwilioSignature(authTokens: config.twilioAuthTokens.isEmpty ? twilioAuthTokens : config.twilioAuthTokens)
        self.slack = config.slackSigningSecret.map(SlackSignature.init(signingSecret:))
        self.decoder = EventDecoder()
        self.groupCommit = GroupCommit(notifier: notifier)
        self.console = try WebConsole(config: config, contacts: notifier.contacts)
    }

    /// The HTTP application alone (no scheduler): for tests and for embedding in a larger
    /// service group. `onListening` gets the bound port (useful with port 0).
    public func application(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Hummingbird.Router(context: NotifyRequestContext.self)
        let limit = ConnectionLimit(maximum: Self.maxConnections(config))
        router.add(middleware: StoreUnavailableMiddleware(logger: logger))
        router.get("/healthz") { _, _ in try await self.health() }
        router.get("/metrics") { _, _ in try await self.metricsText() }
        router.post("/v1/events") { request, _ in try await self.events(request) }
        router.post("/v1/alertmanager") { request, _ in try await self.alertmanager(request) }
        router.post("/v2/enqueue") { request, _ in try await self.enqueue(request) }
        router.post("/v2/change/enqueue") { request, _ in try await self.enqueueChange(request) }
        router.post("/twilio/sms") { request, _ in try await self.twilioSMS(request) }
        router.post("/twilio/voice/gather") { request, _ in try await self.twilioGather(request) }
        router.post("/slack/interactions") { request, _ in try await self.slackInteraction(request) }
        router.post(RouterPath(stringLiteral: MattermostChannel.callbackPath)) { request, _ in try await self.mattermostAction(request) }
        router.post("/telegram/webhook") { request, _ in try await self.telegramWebhook(request) }
        router.post("/ntfy/action/:token") { request, context in try await self.ntfyAction(request, tokenText: context.parameters.get("token") ?? "") }
        router.on("/ntfy/action/:token", method: .options) { _, _ in self.ntfyPreflight() }
        router.post("/pushover/callback/:token") { request, context in
            try await self.pushoverCallback(request, tokenText: context.parameters.get("token") ?? "")
        }
        addConsoleRoutes(to: router)
        return Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: [limit.installer()], idleTimeout: TimeAmount(config.idleTimeout))),
            configuration: .init(address: .hostname(config.host, port: config.port), serverName: "notify"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// Serves until SIGTERM or SIGINT (or the task is cancelled), running escalations and the
    /// outbox alongside; then stops taking requests, lets deliveries in flight finish, and returns.
    public func run(poll: Duration = .seconds(1), onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        if let raised = Self.raiseOpenFileLimit() {
            logger.info("raised the open-file limit", metadata: ["from": "\(raised.from)", "to": "\(raised.to)"])
        }
        let scheduler = SchedulerService(notifier: notifier, poll: poll, wake: wake, health: engineHealth, role: "serve", deadManSwitch: deadManSwitch)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: application(onListening: onListening)), .init(service: scheduler)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// RLIMIT_NOFILE, as getrlimit and setrlimit take it here.
    #if os(Linux)
    private static let openFileResource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let openFileResource = RLIMIT_NOFILE
    #endif

    /// `server.max_connections`, or the open-file limit less room for the store, the providers
    /// and health checks (256), at most 10,000 and at least 64.
    static func maxConnections(_ config: ServerConfig) -> Int {
        if let configured = config.maxConnections { return configured }
        var limit = rlimit()
        let resource = openFileResource
        guard getrlimit(resource, &limit) == 0 else { return 1_000 }
        return Int(max(64, min(10_000, Int64(clamping: limit.rlim_cur) - 256)))
    }

    /// Raises the soft limit on open descriptors to the hard one (what the system lets this
    /// process have): each connection is one, and 1,024 is soon reached by slow clients.
    /// Returns the change, or nil when there was none to make.
    static func raiseOpenFileLimit() -> (from: UInt64, to: UInt64)? {
        var limit = rlimit()
        let resource = openFileResource
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur < limit.rlim_max else { return nil }
        let from = UInt64(limit.rlim_cur)
        limit.rlim_cur = limit.rlim_max
        guard setrlimit(resource, &limit) == 0 else { return nil }
        return (from, UInt64(limit.rlim_max))
    }

    // MARK: Health and metrics

    /// How long `/healthz` waits for the store before it answers 503: a load balancer must
    /// hear about a database it cannot reach at once, not after its own timeout.
    static let healthDeadline = Duration.seconds(1)

    func health() async throws -> Response {
        if let failure = engineHealth.failure {
            return .json(.serviceUnavailable, ["status": "unavailable", "reason": "scheduler: state store: \(failure)"])
        }
        do {
            let notifier = notifier
            try await withDeadline(Self.healthDeadline) { _ = try await notifier.nextWakeUp() }
            return .json(.ok, ["status": "ok"])
        } catch {
            logger.error("health check: the state store is unreachable", metadata: ["error": "\(error)"])
            return .json(.serviceUnavailable, ["status": "unavailable", "reason": "state store: \(error)"])
        }
    }

    func metricsText() async throws -> Response {
        for (status, count) in try await notifier.alertCounts(statuses: [.triggered, .acknowledged]) {
            notifier.metrics.alerts(status: status, count: count)
        }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
    }

    // MARK: Helpers

    /// The body, or nil with a 413 when it is larger than the limit.
    func body(of request: Request) async throws -> [UInt8] {
        var request = request
        let buffer = try await request.collectBody(upTo: config.maxBodyBytes)
        return Array(buffer.readableBytesView)
    }

    /// The integration whose key is `key`, compared in constant time.
    func integration(withKey key: String) -> ServerConfig.Integration? {
        var found: ServerConfig.Integration?
        for integration in config.integrations where constantTimeEqual(integration.key.exposedValue, key) { found = integration }
        return found
    }

    enum Caller {
        case token
        case integration(ServerConfig.Integration)
        case anyone
    }

    /// Who sent the request, from `Authorization: Bearer ...`: the server token, an
    /// integration's key, or (with `auth: none`) anyone. Nil: refuse with 401.
    func caller(of request: Request) -> Caller? {
        if config.authDisabled { return .anyone }
        guard let header = request.headers[.authorization], let presented = Self.bearerToken(header) else { return nil }
        if let token = config.token, constantTimeEqual(token.exposedValue, presented) { return .token }
        return integration(withKey: presented).map(Caller.integration)
    }

    /// The token of `Bearer TOKEN` (the scheme in any case, blanks around the token ignored), read
    /// as bytes: Foundation's case folding and trimming were 5% of `serve` under load.
    static func bearerToken(_ header: String) -> String? {
        let scheme = "bearer ".utf8
        // `| 0x20` lowercases an ASCII letter and leaves the space as it is.
        guard header.utf8.count >= scheme.count, zip(header.utf8, scheme).allSatisfy({ $0 | 0x20 == $1 }) else { return nil }
        return ASCII.trimmed(String(header.utf8.dropFirst(scheme.count)) ?? "")
    }

    static let unauthorized = Response.json(.unauthorized, ["status": "unauthorized", "message": "send Authorization: Bearer TOKEN (the server token or an integration key)"],
                                             headers: [.wwwAuthenticate: "Bearer"])
}

extension Response {
    static func json(_ status: HTTPResponse.Status, _ object: Any, headers: HTTPFields = [:]) -> Response {
        let data = AnswerJSON.encode(object)
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func xml(_ document: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/xml; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: document)))
    }
}

extension NotifyServer {
    /// A server for a runtime built from a config with a `server:` section (or `fallback`). The
    /// Twilio channels' auth tokens check Twilio's callbacks unless `server.twilio` names one.
    public init(runtime: NotifyRuntime, registry: PrometheusCollectorRegistry, server: ServerConfig? = nil, logger: Logger = Logger(label: "notify.serve")) throws {
        guard let config = server ?? runtime.config.server else {
            throw ConfigError(path: "server", "missing: notify serve needs a server: section with a token (or auth: none on loopback)")
        }
        // Twilio's callbacks are signed with the auth token of the account that sent the page.
        let tokens = runtime.config.channels.values.sorted { $0.name < $1.name }.compactMap { channel -> Secret? in
            switch channel.settings {
            case let sms as TwilioSMSSettings: sms.account.authToken
            case let voice as TwilioVoiceSettings: voice.account.authToken
            default: nil
            }
        }
        try self.init(notifier: runtime.notifier, config: config, registry: registry, httpClient: runtime.httpClient, twilioAuthTokens: tokens, logger: logger)
        deadManSwitch = runtime.deadManSwitch
    }
}
