import Foundation
import Logging

/// The engine. Its two halves, in the order concerns apply (as Alertmanager's `notify.go`
/// lists its stages):
///
/// - **ingest** (``ingest(_:)``): decode (the caller's ``EventDecoder``) → dedup and record
///   (``AlertRecorder``) → plan escalation (``EscalationPlanner``) → detectors react
///   (``Detector``), all in one store transaction. Nothing is delivered here.
/// - **delivery** (``runDue(stop:)``): a round fires due steps (``EscalationFirer``; silence →
///   on-call) and storm digests (``StormGate``), claims from the outbox (``OutboxQueue``) and
///   admits each item (``DeliveryAdmission``: stop → storm hold → throttle → gather → thread),
///   in one transaction; transmission sends each outside it (``Transmission``: render → your
///   stages → send with retry); the next round records the outcome (``OutboxQueue``; fallback
///   when a whole step failed).
///
/// ``process(_:)`` does both for one event. docs/architecture.md shows the same list.
public final class Notifier: Sendable {
    /// Where state lives. Not public: what people and servers read is asked of the notifier
    /// (``standings(statuses:)``, ``status()``, ``silences(notEndedAt:)``...), so that it reads
    /// on the right clock and applies the same rules as the engine.
    let store: any AlertStore
    let planner: EscalationPlanner
    public let configuration: Configuration
    public let router: Router
    public let clock: any AlertingClock
    public let logger: Logger
    /// One line per alert opened, acknowledged or resolved and per page placed or failed.
    public let activity: ActivityLog
    /// Heartbeats, continuous failure, stopped instances, auto-resolve, yours: run inside the
    /// engine's transactions.
    public let detectors: [any Detector]
    public let metrics: NotifyMetrics
    /// The channels, by name.
    public let channels: [String: any Channel]
    /// The people, by name.
    public let contacts: [String: Contact]
    public let renderer: TemplateRenderer
    /// One delivery's attempts: retry, backoff, `Retry-After`.
    let deliverer: Deliverer
    /// Withdrawals started after commits (``WithdrawingChannel``).
    let pending = PendingWork()
    /// The channels told when an alert is acknowledged or resolved: found once, not per change.
    let withdrawing: [any WithdrawingChannel]
    /// Since when this process has reported itself without a gap (``DetectorContext``).
    let reporting: ReportingRecord

    /// How the outbox is worked: this process's claims, their lease, concurrency, retries.
    public var outbox: OutboxSettings { configuration.delivery.outbox }
    public var stormControl: StormControl? { configuration.delivery.stormControl }
    /// Planned maintenance: silences that come and go by the clock.
    public var maintenance: [MaintenanceWindow] { configuration.routing.maintenance }

    /// - Parameters:
    ///   - store: where state lives; ``MemoryAlertStore`` keeps it in this process only.
    ///   - channels: the channels routes and policies name, by their ``Channel/name``.
    ///   - configuration: routing, contacts and delivery (see ``Configuration``).
    ///   - detectors: what raises alerts of its own: ``HeartbeatDetector``,
    ///     ``ContinuousFailureDetector``, ``StoppedInstanceDetector`` (for several instances on
    ///     one database), ``AutoResolveDetector``, or any type of yours.
    ///   - clock: the time; ``DatabaseClock`` for a store several instances share.
    ///   - activityLogger: where the activity lines go (the default: `logger`).
    public init(
        store: any AlertStore = MemoryAlertStore(),
        channels: [any Channel],
        configuration: Configuration,
        detectors: [any Detector] = [],
        clock: any AlertingClock = SystemClock(),
        metrics: NotifyMetrics = NotifyMetrics(),
        logger: Logger = Logger(label: "notify"),
        activityLogger: Logger? = nil
    ) {
        let routing = configuration.routing
        let delivery = configuration.delivery
        self.store = store
        self.configuration = configuration
        self.router = Router(routes: routing.routes)
        self.planner = EscalationPlanner(router: router, policies: routing.policies, schedules: routing.schedules,
                                         voiceChannels: Set(channels.filter { $0.capabilities.medium == .voice }.map(\.name)))
        self.channels = Dictionary(channels.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.withdrawing = self.channels.values.compactMap { $0 as? any WithdrawingChannel }.sorted { $0.name < $1.name }
        self.contacts = Dictionary(configuration.contacts.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.renderer = TemplateRenderer(templates: delivery.templates)
        self.deliverer = Deliverer(policy: delivery.retry, clock: clock, logger: logger)
        self.reporting = ReportingRecord(owner: delivery.outbox.owner.description)
        self.detectors = detectors
        self.metrics = metrics
        self.clock = clock
        self.logger = logger
        self.activity = ActivityLog(logger: activityLogger ?? logger)
    }

    // The parts library users and the CLI reach for by name.
    public var policies: [String: EscalationPolicy] { planner.policies }
    public var schedules: [String: OnCallSchedule] { planner.schedules }
    /// The heartbeats the ``HeartbeatDetector``s among ``detectors`` watch, by name.
    public var heartbeats: [String: Heartbeat] {
        Dictionary(detectors.compactMap { $0 as? HeartbeatDetector }.flatMap(\.heartbeats).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The escalation policy a route runs: its named one, or one step with its targets.
    public func policy(for route: Route) -> EscalationPolicy? { planner.policy(for: route) }

    /// Contact names with every `oncall:SCHEDULE` replaced by who is on call at `date` (the
    /// stored `overrides` counted: ``onCallSchedules(overridesEndingAfter:)`` reads them).
    public func resolve(_ names: [String], at date: Date, overrides: [ScheduleOverride] = [], unstaffed: inout [String]) -> [String] {
        planner.resolve(names, at: date, overrides: overrides, unstaffed: &unstaffed)
    }

    /// What a due escalation does now (see ``EscalationPlanner/fire(_:alert:silences:overrides:at:)``).
    func fire(_ escalation: EscalationState, alert: Alert, silences: [Silence] = [], overrides: [ScheduleOverride] = []) -> EscalationFiring {
        planner.fire(escalation, alert: alert, silences: silences, overrides: overrides, at: clock.now())
    }

    // MARK: Ingest

    /// Records the events (one store transaction) with what each means for its escalation: an
    /// opening trigger starts its route's policy, an acknowledge stops it (or, with an ack
    /// timeout, pauses it), a resolve stops it and queues resolve notices where the route asks.
    /// Detectors react in the same transaction. Nothing is delivered here: ``runDue()`` does that.
    public func ingest(_ events: [AlertEvent]) async throws -> [IngestResult] {
        try await ingestReportingDetectors(events).results
    }

    /// The same, with the alerts detectors opened or resolved in reaction (a continuous
    /// failure counted up to its threshold).
    func ingestReportingDetectors(_ events: [AlertEvent]) async throws -> (results: [IngestResult], detected: [AlertTransition]) {
        let now = clock.now()
        // A heartbeat's beat is recorded, and resolves its missed alert if one is open.
        var events = events
        var beats: [Int: String] = [:]
        for (index, event) in events.enumerated() where event.kind == .heartbeat {
            let name = event.source ?? event.dedupKey
            events[index] = AlertEvent(kind: .heartbeatMissed, action: .resolve, source: name, dedupKey: "heartbeat_missed/\(name)", actor: name, note: "heartbeat")
            beats[index] = name
        }
        let context = detectorContext(at: now)
        // The body may run more than once (AlertStore): it only decides; what it did is counted
        // and logged below, once, after the commit.
        let recorded = try await store.write { [self, planner, detectors, events, beats] transaction in
            // Silences decide whether a first step due now pages, and whether a trigger counts
            // for a detector: read in this transaction, not in a round trip of their own.
            let triggers = events.contains { $0.action == .trigger }
            let (silences, unreadable) = triggers ? try silencesInForce(at: now, in: transaction) : ([], [])
            let overrides = triggers ? try transaction.overrides(endingAfter: now) : []
            for name in beats.values { try HeartbeatDetector.recordBeat(name, at: now, in: transaction) }
            var lags: [TimeInterval] = []
            let transitions = try AlertRecorder.record(events, at: now, in: transaction, plan: { planner.plan($0, at: now) },
                                                       isSilenced: { alert in silences.contains { $0.matches(alert) } },
                                                       fire: { escalation, alert in
                                                           let firing = planner.fire(escalation, alert: alert, silences: silences, overrides: overrides, at: now)
                                                           if let lag = firing.lag { lags.append(lag) }
                                                           return firing
                                                       })
            let raised = try detectors.flatMap { try $0.react(to: transitions, context: context, in: transaction) }
            let detected = try AlertRecorder.record(raised, at: now, in: transaction, plan: { planner.plan($0, at: now) })
            return (transitions, detected, unreadable, lags)
        }
        for event in events { metrics.eventReceived(event.kind, action: event.action) }
        for event in recorded.1.map(\.event) { metrics.eventReceived(event.kind, action: event.action) }
        for lag in recorded.3 { metrics.escalationFired(lag: lag) }
        for unreadable in recorded.2 { logger.error("\(unreadable)") }
        var transitions = recorded.0
        for index in beats.keys where transitions[index].change == .unknownKey {
            transitions[index].change = .heartbeat
        }
        recorded.1.forEach(logDetected)
        return (transitions.map { result($0) }, recorded.1.filter { $0.change == .opened || $0.change == .resolved })
    }

    /// The transition with its route, said in the activity log.
    private func result(_ transition: AlertTransition, detector: Bool = false) -> IngestResult {
        let route = transition.alert.flatMap { router.route(for: $0) }
        let unrouted = transition.change == .opened && route == nil
        activity.alertChanged(transition, unrouted: unrouted, detector: detector)
        if transition.change == .acknowledged || transition.change == .resolved, let alert = transition.alert { withdraw(alert) }
        return IngestResult(transition: transition, route: route, unrouted: unrouted)
    }

    /// Tells every ``WithdrawingChannel`` that `alert` no longer needs anyone, without waiting.
    private func withdraw(_ alert: Alert) {
        for channel in withdrawing {
            let logger = logger
            pending.start {
                let outcome = await channel.withdraw(alert: alert)
                if !outcome.isDelivered {
                    logger.warning("could not withdraw the pages of an alert", metadata: ["alert": "\(alert.id)", "channel": "\(channel.name)", "reason": "\(outcome.reason ?? "")"])
                }
            }
        }
    }

    /// Waits for the work started after commits that nothing waited for (pages being withdrawn
    /// from devices). Commands call it before they exit; ``NotifyRuntime/shutdown()`` does.
    public func finishPendingWork() async {
        await pending.finish()
    }

    private func logDetected(_ transition: AlertTransition) {
        _ = result(transition, detector: true)
    }

    /// Runs every detector's check (heartbeats missed, quiet continuous failures) and records
    /// what they raise or resolve, in one transaction. Returns what recording it did.
    @discardableResult
    public func runDetectors() async throws -> [AlertTransition] {
        guard !detectors.isEmpty else { return [] }
        let now = clock.now()
        let context = detectorContext(at: now)
        let transitions = try await store.write { [planner, detectors, outbox] transaction in
            guard try InstanceRegistry.runsSingletonWork(outbox.owner, at: now, in: transaction) else { return [AlertTransition]() }
            let events = try detectors.flatMap { try $0.check(context, in: transaction) }
            return try AlertRecorder.record(events, at: now, in: transaction, plan: { planner.plan($0, at: now) })
        }
        for transition in transitions { metrics.eventReceived(transition.event.kind, action: transition.event.action) }
        transitions.forEach(logDetected)
        return transitions
    }

    /// What detectors are told of this process at `now`.
    func detectorContext(at now: Date) -> DetectorContext {
        DetectorContext(now: now, owner: outbox.owner.description, reportingSince: reporting.reportingSince)
    }

    /// Records a beat (`notify heartbeat NAME`) and does what is then due (resolve notices, if
    /// the beat ended a missed alert).
    public func beat(_ name: String) async throws -> ProcessingResult {
        try await process(AlertEvent(kind: .heartbeat, source: name))
    }

    /// The silences in force at `now`: the stored ones and open maintenance windows. A stored
    /// silence that cannot be read silences nothing and is logged as an error.
    public func activeSilences(at now: Date) async throws -> [Silence] {
        let readings = try await store.read { [self] in try silencesInForce(at: now, in: $0) }
        for unreadable in readings.unreadable { logger.error("\(unreadable)") }
        return readings.silences
    }

    /// The same, inside a transaction the caller is running anyway (no extra round trip); the
    /// unreadable ones are returned for the caller to log once the transaction is over.
    func silencesInForce(at now: Date, in transaction: any StoreTransaction) throws -> (silences: [Silence], unreadable: [UnreadableSilence]) {
        let readings = try SilenceReadings.read(notEndedAt: now, in: transaction)
        return (readings.silences.filter { $0.isActive(at: now) } + maintenance.compactMap { $0.silence(at: now) }, readings.unreadable)
    }

    // MARK: One event, test sends, direct deliveries

    /// Ingests one event and does everything then due (for a new alert, its first step),
    /// waiting for the deliveries. Later steps are left to whoever calls ``runDue()`` later.
    ///
    /// A trigger that folds into an open alert whose pages have not gone out yet (a script
    /// retrying a send) tries those pages now, and ``ProcessingResult/pages`` says what became
    /// of the alert's current step: the event was deduplicated, the page may still be owed.
    public func process(_ event: AlertEvent) async throws -> ProcessingResult {
        let (results, detected) = try await ingestReportingDetectors([event])
        guard let ingested = results.first else {
            throw AlertStoreError.inconsistent("store returned no transition for one event")
        }
        let alertID = ingested.transition.alert?.id
        if ingested.transition.change == .deduplicated, let alertID {
            _ = try await store.write { try OutboxQueue.retryNow(alertID: alertID, in: $0) }
        }
        let delivered = try await runDue()
        let reports = delivered.filter { $0.item.alertID == alertID }.sorted { $0.item.id < $1.item.id }.map(\.report)
        var result = ProcessingResult(transition: ingested.transition, route: ingested.route, reports: reports, unrouted: ingested.unrouted)
        if event.action == .trigger, let alertID {
            result.pages = try await settledPageState(alertID: alertID)
        }
        result.otherDeliveries = delivered.filter { $0.item.alertID != alertID }
        result.detected = detected
        return result
    }

    /// What became of the alert's current step; while another process is sending its page,
    /// wait for that rather than report a page that may land a moment later. At most 30 s (or
    /// the lease): a claim held by a process on another host that died must not hold a script
    /// for minutes; it is then reported as not delivered yet (75).
    private func settledPageState(alertID: Int64) async throws -> PageState {
        let deadline = ContinuousClock.now + min(outbox.leaseDuration, .seconds(30))
        while true {
            let state = try await store.read { try PageState.of(alertID: alertID, in: $0) }
            guard state == .inFlight, ContinuousClock.now < deadline else { return state }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Renders and delivers one planned notification (retrying as the policy allows) and
    /// records the outcome in the alert's timeline. No throttle or storm control applies: it
    /// is a direct delivery, not a page from the outbox.
    public func deliver(_ planned: PlannedDelivery) async -> DeliveryReport {
        let report = await deliverDirectly(alert: planned.alert, event: planned.event, channel: planned.channel, recipient: planned.recipient)
        do {
            try await store.recordDelivery(DeliveryRecord(alertID: planned.alert.id, report: report))
        } catch {
            logger.error("could not record a delivery", metadata: ["alert": "\(planned.alert.id)", "channel": "\(planned.channel)", "error": "\(error)"])
        }
        activity.page(report, alertID: planned.alert.id, action: planned.event.action)
        return report
    }

    /// Sends a made-up alert through one channel (to one contact, for channels that reach
    /// people), recording nothing: `notify test CHANNEL [--to CONTACT]`.
    public func sendTest(channel: String, to recipient: Contact? = nil) async -> DeliveryReport {
        let now = clock.now()
        let event = AlertEvent(
            kind: AlertKind(rawValue: "test") ?? .unspecified, severity: .info, environment: "test", source: "notify",
            summary: "Test notification from notify: if you can read this, channel \(channel) works.",
            dedupKey: "notify-test")
        let alert = AlertStateMachine.newAlert(id: 0, from: event, at: now)
        return await deliverDirectly(alert: alert, event: event, channel: channel, recipient: recipient)
    }

    /// Render and send, outside the outbox.
    private func deliverDirectly(alert: Alert, event: AlertEvent, channel name: String, recipient: Contact?) async -> DeliveryReport {
        let now = clock.now()
        guard let channel = channels[name] else {
            return DeliveryReport(channel: name, recipient: recipient?.name, attempts: [.init(startedAt: now, outcome: .permanent(reason: "no channel named \(name)"))])
        }
        if channel.capabilities.medium != nil, recipient == nil {
            return DeliveryReport(channel: name, attempts: [.init(startedAt: now, outcome: .permanent(reason: "channel \(name) reaches people: name them with `to:`"))])
        }
        let prepared = PreparedDelivery(item: nil, channel: channel, notification: Notification(alert: alert, event: event, body: nil, recipient: recipient))
        return await transmission(stop: nil, shouldStop: nil).run(prepared, clock: clock)
    }

    /// The throttle for one contact on one channel: the contact's own for the medium, else the
    /// channel's, else the medium's default.
    public func throttleRule(for contact: Contact, channel: String, medium: ContactMedium) -> ThrottleRule {
        contact.throttles[medium] ?? configuration.delivery.throttles[channel] ?? ThrottleRule.defaultRule(for: medium)
    }
}
