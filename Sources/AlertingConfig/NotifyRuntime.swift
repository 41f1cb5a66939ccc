import Alerting
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// A ``Notifier`` built from a ``NotifyConfig``, with the HTTP client its channels share.
/// Call ``shutdown()`` when done.
public final class NotifyRuntime: Sendable {
    public let config: NotifyConfig
    public let notifier: Notifier
    public let httpClient: HTTPClient

    public init(
        config: NotifyConfig,
        store: any AlertStore = MemoryAlertStore(),
        clock: any AlertingClock = SystemClock(),
        console: ConsoleOutput = .standardOutput,
        metrics: NotifyMetrics = NotifyMetrics(),
        logger: Logger = Logger(label: "notify"),
        activityLogger: Logger? = nil
    ) throws {
        var templates = TemplateSet.builtIn
        if let directory = config.templatesDirectory {
            templates = try templates.overlaid(withDirectory: directory)
        }
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.timeout.connect = .init(min(config.delivery.timeout, .seconds(10)))
        clientConfiguration.redirectConfiguration = .disallow
        // A refused connect fails at once and the retry policy decides what next, rather than
        // the pool retrying it silently until the request's whole timeout has passed.
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        // Room for every delivery in flight to one host: a request never waits for a pooled
        // connection behind hung ones, so its timeout times the request alone, and a page
        // that was never sent is not counted as failed and sent twice.
        clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(8, config.delivery.maxConcurrent)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        let channels: [any Alerting.Channel]
        do {
            channels = try config.channels.values.map { channel -> any Alerting.Channel in
                let timeout = channel.timeout ?? config.delivery.timeout
                switch channel.settings {
                case .slack(let url):
                    return SlackWebhookChannel(name: channel.name, webhookURL: url, client: client, timeout: timeout, clock: clock)
                case .slackBot(let token, let conversation, let baseURL):
                    return SlackBotChannel(name: channel.name, token: token, conversation: conversation, baseURL: baseURL, client: client, timeout: timeout, clock: clock)
                case .webhook(let url, let headers):
                    return WebhookChannel(name: channel.name, url: url, headers: headers, client: client, timeout: timeout, clock: clock)
                case .console:
                    return ConsoleChannel(name: channel.name, output: console)
                case .twilioSMS(let account, let sender, let statusCallback, let maxSegments):
                    return TwilioSMSChannel(name: channel.name, account: account, sender: sender, statusCallback: statusCallback, maxSegments: maxSegments,
                                            repliesAccepted: config.server?.publicURL != nil, client: client, timeout: timeout, clock: clock)
                case .twilioVoice(let account, let from, let callbackURL, let ringTimeout, let machineDetection):
                    return TwilioVoiceChannel(name: channel.name, account: account, from: from, callbackURL: callbackURL, ringTimeout: ringTimeout, machineDetection: machineDetection, client: client, timeout: timeout, clock: clock)
                case .httpGateway(let medium, let spec, let maxSegments):
                    do {
                        return try HTTPGatewayChannel(name: channel.name, medium: medium, spec: spec, maxSegments: maxSegments, client: client, timeout: timeout, clock: clock)
                    } catch {
                        throw ConfigError(path: "channels.\(channel.name)", "\(error)")
                    }
                case .unavailable(_, let medium, let reason):
                    return UnavailableChannel(name: channel.name, medium: medium, reason: reason)
                }
            }
        } catch {
            try? client.syncShutdown()
            throw error
        }
        self.config = config
        self.httpClient = client
        self.notifier = Notifier(
            store: store, router: Router(routes: config.routes), channels: channels,
            contacts: Array(config.contacts.values),
            channelThrottles: config.channels.compactMapValues(\.throttle),
            policies: Array(config.policies.values),
            schedules: Array(config.schedules.values),
            maintenance: config.maintenance,
            heartbeats: Array(config.heartbeats.values),
            continuousFailure: config.continuousFailure,
            watchInstances: store is any SharedAlertStore,
            autoResolve: config.autoResolve,
            stormControl: config.stormControl,
            metrics: metrics,
            leaseDuration: config.delivery.leaseDuration,
            maxConcurrentDeliveries: config.delivery.maxConcurrent,
            giveUpAfter: config.delivery.giveUpAfter,
            renderer: TemplateRenderer(templates: templates),
            deliverer: Deliverer(policy: config.delivery.retry, clock: clock, logger: logger),
            clock: clock, logger: logger, activityLogger: activityLogger)
    }

    /// The configured dead-man's switch, pinged through this runtime's HTTP client.
    public var deadManSwitch: DeadMansSwitch? {
        config.deadManSwitch.map { DeadMansSwitch(settings: $0, client: httpClient) }
    }

    public func shutdown() async throws {
        try await httpClient.shutdown()
    }
}
