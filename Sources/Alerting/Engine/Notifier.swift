import Foundation
import Logging

/// The pipeline: record an event (dedup), pick a route, render, deliver, record the outcome.
///
/// ``ingest(_:)`` decides and ``deliver(_:)`` acts, so a caller can keep ingesting in order
/// while deliveries run concurrently; ``process(_:)`` does both for one event.
public final class Notifier: Sendable {
    public let store: any AlertStore
    public let router: Router
    public let channels: [String: any Channel]
    public let renderer: TemplateRenderer
    public let deliverer: Deliverer
    public let clock: any AlertingClock
    public let logger: Logger
    /// The people routes name in their targets, by name.
    public let contacts: [String: Contact]
    /// A channel's own throttle, by channel name; else a contact's own, else the medium's default.
    public let channelThrottles: [String: ThrottleRule]
    public let throttleLedger: ThrottleLedger

    public init(
        store: any AlertStore = MemoryAlertStore(),
        router: Router,
        channels: [any Channel],
        contacts: [Contact] = [],
        channelThrottles: [String: ThrottleRule] = [:],
        throttleLedger: ThrottleLedger = ThrottleLedger(),
        renderer: TemplateRenderer = TemplateRenderer(),
        deliverer: Deliverer? = nil,
        clock: any AlertingClock = SystemClock(),
        logger: Logger = Logger(label: "notify")
    ) {
        self.store = store
        self.router = router
        self.channels = Dictionary(channels.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.contacts = Dictionary(contacts.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.channelThrottles = channelThrottles
        self.throttleLedger = throttleLedger
        self.renderer = renderer
        self.deliverer = deliverer ?? Deliverer(clock: clock, logger: logger)
        self.clock = clock
        self.logger = logger
    }

    /// Records the events (one store transaction) and returns, for each, the deliveries it calls for.
    ///
    /// A trigger that opens an alert is sent to its route's channels; a resolve is sent when
    /// the route asks for `notify_on_resolve`; repeats, acks and unknown keys send nothing.
    public func ingest(_ events: [AlertEvent]) async throws -> [IngestResult] {
        let transitions = try await store.record(events, at: clock.now())
        return transitions.map(plan)
    }

    private func plan(_ transition: AlertTransition) -> IngestResult {
        guard let alert = transition.alert, transition.change == .opened || transition.change == .resolved else {
            return IngestResult(transition: transition, route: nil, deliveries: [], unrouted: false)
        }
        guard let route = router.route(for: alert) else {
            if transition.change == .opened {
                logger.warning("no route matches; nobody is notified", metadata: ["alert": "\(alert.id)", "kind": "\(alert.kind)", "environment": "\(alert.environment ?? "-")"])
            }
            return IngestResult(transition: transition, route: nil, deliveries: [], unrouted: transition.change == .opened)
        }
        if transition.change == .resolved, !route.notifyOnResolve {
            return IngestResult(transition: transition, route: route, deliveries: [], unrouted: false)
        }
        // One delivery per channel, and per contact for channels that reach people.
        let deliveries = route.targets.flatMap { target -> [PlannedDelivery] in
            guard !target.contacts.isEmpty else {
                return [PlannedDelivery(alert: alert, event: transition.event, channel: target.channel, route: route.name)]
            }
            return target.contacts.map { name in
                PlannedDelivery(alert: alert, event: transition.event, channel: target.channel,
                                recipient: contacts[name] ?? Contact(name: name), route: route.name)
            }
        }
        return IngestResult(transition: transition, route: route, deliveries: deliveries, unrouted: false)
    }

    /// Renders and delivers one planned notification (retrying as the policy allows) and
    /// records the outcome in the alert's timeline.
    public func deliver(_ planned: PlannedDelivery) async -> DeliveryReport {
        let report = await send(alert: planned.alert, event: planned.event, channelName: planned.channel, recipient: planned.recipient)
        do {
            try await store.recordDelivery(DeliveryRecord(alertID: planned.alert.id, report: report))
        } catch {
            logger.error("could not record a delivery", metadata: ["alert": "\(planned.alert.id)", "channel": "\(planned.channel)", "error": "\(error)"])
        }
        log(report, alertID: planned.alert.id)
        return report
    }

    /// Ingests one event and makes its deliveries, concurrently, waiting for all of them.
    public func process(_ event: AlertEvent) async throws -> ProcessingResult {
        guard let ingested = try await ingest([event]).first else {
            throw AlertStoreError.inconsistent("store returned no transition for one event")
        }
        let reports = await withTaskGroup(of: (Int, DeliveryReport).self) { group in
            for (index, planned) in ingested.deliveries.enumerated() {
                group.addTask { (index, await self.deliver(planned)) }
            }
            var collected: [(Int, DeliveryReport)] = []
            for await result in group { collected.append(result) }
            return collected.sorted { $0.0 < $1.0 }.map(\.1)
        }
        return ProcessingResult(transition: ingested.transition, route: ingested.route, reports: reports, unrouted: ingested.unrouted)
    }

    /// Sends a made-up alert through one channel (to one contact, for channels that reach
    /// people), recording nothing: `notify test CHANNEL [--to CONTACT]`.
    public func sendTest(channel: String, to recipient: Contact? = nil) async -> DeliveryReport {
        let now = clock.now()
        let event = AlertEvent(
            kind: AlertKind(rawValue: "test")!, severity: .info, environment: "test", source: "notify",
            summary: "Test notification from notify: if you can read this, channel \(channel) works.",
            dedupKey: "notify-test")
        let alert = AlertStateMachine.newAlert(id: 0, from: event, at: now)
        let report = await send(alert: alert, event: event, channelName: channel, recipient: recipient)
        log(report, alertID: 0)
        return report
    }

    /// The throttle for one contact on one channel: the contact's own for the medium, else the
    /// channel's, else the medium's default.
    public func throttleRule(for contact: Contact, channel: String, medium: ContactMedium) -> ThrottleRule {
        contact.throttles[medium] ?? channelThrottles[channel] ?? ThrottleRule.defaultRule(for: medium)
    }

    private func send(alert: Alert, event: AlertEvent, channelName: String, recipient: Contact?) async -> DeliveryReport {
        let now = clock.now()
        func failed(_ reason: String) -> DeliveryReport {
            DeliveryReport(channel: channelName, recipient: recipient?.name, attempts: [.init(startedAt: now, outcome: .permanent(reason: reason))])
        }
        guard let channel = channels[channelName] else { return failed("no channel named \(channelName)") }
        var notification = Notification(alert: alert, event: event, body: nil, recipient: recipient)
        var throttleKey: ThrottleLedger.Key?
        if let medium = channel.medium {
            guard let recipient else { return failed("channel \(channelName) reaches people: name them with `to:`") }
            let key = ThrottleLedger.Key(contact: recipient.name, medium: medium)
            let item = DigestItem(alertID: alert.id, summary: alert.summary, at: now)
            switch await throttleLedger.admit(key, rule: throttleRule(for: recipient, channel: channelName, medium: medium), item: item, at: now) {
            case .throttled(let nextAllowed):
                return DeliveryReport(channel: channelName, recipient: recipient.name, attempts: [.init(startedAt: now, outcome: .throttled(nextAllowed: nextAllowed))])
            case .allowed(let digest):
                notification.digest = digest
                throttleKey = key
            }
        }
        var report: DeliveryReport
        if let selector = channel.template {
            do {
                notification.body = try renderer.render(notification, channelName: channelName, selector: selector)
                report = await deliverer.deliver(notification, via: channel)
            } catch {
                report = failed("\(error)")
            }
        } else {
            report = await deliverer.deliver(notification, via: channel)
        }
        report.recipient = recipient?.name
        // A digest whose message did not go out rides on the next one instead.
        if !report.outcome.isDelivered, let digest = notification.digest, let throttleKey {
            await throttleLedger.giveBack(digest, for: throttleKey)
        }
        return report
    }

    private func log(_ report: DeliveryReport, alertID: Int64) {
        var metadata: Logger.Metadata = ["alert": "\(alertID)", "channel": "\(report.channel)", "attempts": "\(report.attempts.count)"]
        if let recipient = report.recipient { metadata["to"] = "\(recipient)" }
        switch report.outcome {
        case .delivered:
            logger.debug("delivered", metadata: metadata)
        case .retryable(let reason, _):
            metadata["reason"] = "\(reason)"
            logger.error("delivery failed; it can be retried", metadata: metadata)
        case .permanent(let reason):
            metadata["reason"] = "\(reason)"
            logger.error("delivery failed permanently", metadata: metadata)
        case .throttled(let nextAllowed):
            metadata["next_allowed"] = "\(nextAllowed.formatted(Date.ISO8601FormatStyle()))"
            logger.notice("throttled; the next message to this contact carries it in a digest", metadata: metadata)
        }
    }
}
