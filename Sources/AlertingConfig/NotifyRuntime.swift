import Alerting
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// A ``Notifier`` built from a ``NotifyConfig``: its channels (each by its registered type),
/// its configuration and detectors, and the clock its store wants, with the HTTP client the
/// channels share. What `notify` builds for every command; call ``shutdown()`` when done.
public final class NotifyRuntime: Sendable {
    public let config: NotifyConfig
    public let notifier: Notifier
    public let httpClient: HTTPClient

    /// - Parameter clock: nil: the store's choice, made here once for every command and every
    ///   program that embeds a runtime: the database's clock (``DatabaseClock``) for a store
    ///   several instances share, so they agree on what is due whatever their own clocks say;
    ///   the system clock otherwise.
    public init(
        config: NotifyConfig,
        store: any AlertStore = MemoryAlertStore(),
        clock: (any AlertingClock)? = nil,
        console: ConsoleOutput = .standardOutput,
        metrics: NotifyMetrics = NotifyMetrics(),
        logger: Logger = Logger(label: "notify"),
        activityLogger: Logger? = nil
    ) async throws {
        let configuration = try config.configuration()
        let clock: any AlertingClock = if let clock { clock } else if let shared = store as? any SharedAlertStore { await DatabaseClock(store: shared) } else { SystemClock() }
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.timeout.connect = .init(min(config.delivery.timeout, .seconds(10)))
        clientConfiguration.redirectConfiguration = .disallow
        // A refused connect fails at once and the retry policy decides what next, rather than
        // the pool retrying it silently until the request's whole timeout has passed.
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        // Room for every delivery in flight to one host, all channels' slots together: a
        // request never waits for a pooled connection behind hung ones (another channel's on
        // the same host), so its timeout times the request alone, and a page that was never
        // sent is not counted as failed and sent twice.
        let slots = config.channels.values.reduce(0) { $0 + ($1.maxConcurrent ?? $1.capabilities.concurrency ?? config.delivery.maxConcurrent) }
        clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = min(4096, max(8, slots))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        var channels: [any Alerting.Channel] = []
        let callback = config.server.flatMap { server in
            server.publicURL.flatMap { url in server.actionSecret.map { ActionCallback(signer: ActionSigner(secret: $0), publicURL: url) } }
        }
        do {
            // Channels made of others (sms_failover) after the ones they are made of.
            let ordered = config.channels.values.sorted { ($0.settings is any ComposedChannelSettings ? 1 : 0, $0.name) < ($1.settings is any ComposedChannelSettings ? 1 : 0, $1.name) }
            var built: [String: any Alerting.Channel] = [:]
            for channel in ordered {
                var context = ChannelContext(
                    name: channel.name, capabilities: channel.capabilities, client: client, timeout: channel.timeout ?? config.delivery.timeout,
                    clock: clock, console: console, publicURL: config.server?.publicURL, actionCallback: callback)
                context.channels = built
                let made = try channel.settings.makeChannel(context)
                built[channel.name] = made
                channels.append(made)
            }
        } catch {
            try? await client.shutdown()
            throw error
        }
        self.config = config
        self.httpClient = client
        self.notifier = Notifier(store: store, channels: channels, configuration: configuration,
                                 detectors: config.detectors(sharingState: store is any SharedAlertStore),
                                 clock: clock, metrics: metrics, logger: logger, activityLogger: activityLogger)
    }

    /// The configured dead-man's switch, pinged through this runtime's HTTP client.
    public var deadManSwitch: DeadMansSwitch? {
        config.deadManSwitch.map { DeadMansSwitch(settings: $0, client: httpClient) }
    }

    public func shutdown() async throws {
        await notifier.finishPendingWork()
        try await httpClient.shutdown()
    }
}
