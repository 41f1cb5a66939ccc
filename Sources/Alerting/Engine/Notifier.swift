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
    /// Escalation policies by name.
    public let policies: [String: EscalationPolicy]
    /// On-call schedules by name, for `oncall:NAME` targets.
    public let schedules: [String: OnCallSchedule]
    /// Planned maintenance from the config: silences that come and go by the clock.
    public let maintenance: [MaintenanceWindow]
    /// Dead-man's switches by name.
    public let heartbeats: [String: Heartbeat]
    public let continuousFailure: ContinuousFailureDetector?
    /// Heartbeats and continuous failure, run inside the engine's transactions.
    public let detectors: [any Detector]
    /// Caps how many different alerts page one contact in a window; nil: no cap.
    public let stormControl: StormControl?
    public let metrics: NotifyMetrics
    /// This process, as the holder of outbox claims.
    public let leaseOwner: LeaseOwner
    /// How long a claim on an outbox item lasts: longer than the slowest delivery with all its
    /// retries, so two live processes never send the same item.
    public let leaseDuration: Duration
    /// Outbox items delivered at once.
    public let maxConcurrentDeliveries: Int
    /// A page that keeps failing with retryable errors goes back to the outbox and is tried
    /// again, every `requeueDelay` at the earliest, until it is this old; then it is given up.
    public let giveUpAfter: Duration
    public let requeueDelay: Duration

    public init(
        store: any AlertStore = MemoryAlertStore(),
        router: Router,
        channels: [any Channel],
        contacts: [Contact] = [],
        channelThrottles: [String: ThrottleRule] = [:],
        throttleLedger: ThrottleLedger = ThrottleLedger(),
        policies: [EscalationPolicy] = [],
        schedules: [OnCallSchedule] = [],
        maintenance: [MaintenanceWindow] = [],
        heartbeats: [Heartbeat] = [],
        continuousFailure: ContinuousFailureDetector? = nil,
        stormControl: StormControl? = nil,
        metrics: NotifyMetrics = NotifyMetrics(),
        leaseDuration: Duration = .seconds(300),
        maxConcurrentDeliveries: Int = 32,
        giveUpAfter: Duration = .seconds(3600),
        requeueDelay: Duration = .seconds(30),
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
        self.policies = Dictionary(policies.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.schedules = Dictionary(schedules.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.maintenance = maintenance
        self.heartbeats = Dictionary(heartbeats.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.continuousFailure = continuousFailure
        self.detectors = (heartbeats.isEmpty ? [] : [HeartbeatDetector(heartbeats: heartbeats)]) + (continuousFailure.map { [$0] } ?? [])
        self.stormControl = stormControl
        self.metrics = metrics
        self.leaseOwner = LeaseOwner()
        self.leaseDuration = leaseDuration
        self.maxConcurrentDeliveries = max(1, maxConcurrentDeliveries)
        self.giveUpAfter = giveUpAfter
        self.requeueDelay = requeueDelay
        self.renderer = renderer
        self.deliverer = deliverer ?? Deliverer(clock: clock, logger: logger)
        self.clock = clock
        self.logger = logger
    }

    /// Records the events (one store transaction) with what each means for its escalation: an
    /// opening trigger starts its route's policy, an acknowledge stops it (or, with an ack
    /// timeout, pauses it), a resolve stops it and queues resolve notices where the route asks.
    /// Nothing is delivered here: ``runDue()`` does that.
    public func ingest(_ events: [AlertEvent]) async throws -> [IngestResult] {
        let now = clock.now()
        // A heartbeat's beat is recorded, and resolves its missed alert if one is open.
        var events = events
        var beats: [Int: String] = [:]
        for (index, event) in events.enumerated() where event.kind == .heartbeat {
            let name = event.source ?? event.dedupKey
            events[index] = AlertEvent(kind: .heartbeatMissed, action: .resolve, source: name, dedupKey: "heartbeat_missed/\(name)", actor: name, note: "heartbeat")
            beats[index] = name
        }
        for event in events { metrics.eventReceived(event.kind, action: event.action) }
        let recorded = try await store.write { [self, events, beats] transaction in
            for name in beats.values { try HeartbeatDetector.recordBeat(name, at: now, in: transaction) }
            let transitions = try AlertRecorder.record(events, at: now, in: transaction, plan: { plan($0, at: now) })
            let raised = try detectors.flatMap { try $0.react(to: transitions, at: now, in: transaction) }
            let detected = try AlertRecorder.record(raised, at: now, in: transaction, plan: { plan($0, at: now) })
            return (transitions, detected)
        }
        var transitions = recorded.0
        for index in beats.keys where transitions[index].change == .unknownKey {
            transitions[index].change = .heartbeat
        }
        for transition in recorded.1 { logDetected(transition) }
        return transitions.map(result)
    }

    private func result(_ transition: AlertTransition) -> IngestResult {
        let route = transition.alert.flatMap { router.route(for: $0) }
        let unrouted = transition.change == .opened && route == nil
        if unrouted, let alert = transition.alert {
            logger.warning("no route matches; nobody is notified", metadata: ["alert": "\(alert.id)", "kind": "\(alert.kind)", "environment": "\(alert.environment ?? "-")"])
        }
        return IngestResult(transition: transition, route: route, unrouted: unrouted)
    }

    private func logDetected(_ transition: AlertTransition) {
        guard let alert = transition.alert, transition.change == .opened || transition.change == .resolved else { return }
        logger.notice(transition.change == .opened ? "detector raised an alert" : "detector resolved an alert",
                      metadata: ["alert": "\(alert.id)", "kind": "\(alert.kind)", "key": "\(alert.dedupKey)"])
        _ = result(transition)
    }

    /// The escalation policy a route runs: its named one, or one step with its targets.
    public func policy(for route: Route) -> EscalationPolicy? {
        if let name = route.policy { return policies[name] }
        return EscalationPolicy.immediate(name: route.implicitPolicyName, targets: route.targets)
    }

    private func plan(_ transition: AlertTransition, at now: Date) -> EscalationPlan {
        guard let alert = transition.alert else { return .nothing }
        let routes = router.matchingRoutes(for: alert)
        guard !routes.isEmpty else { return .nothing }
        switch transition.change {
        case .opened:
            return EscalationPlan(starts: routes.compactMap { route in
                guard let policy = policy(for: route), let first = policy.firing(at: 0) else { return nil }
                return EscalationPlan.Start(policy: policy.name, route: route.name, dueAt: now + first.offset.timeInterval)
            })
        case .acknowledged:
            var retrigger: [String: Date] = [:]
            for route in routes {
                if let timeout = policy(for: route)?.ackTimeout { retrigger[route.name] = now + timeout.timeInterval }
            }
            return EscalationPlan(retriggerAt: retrigger)
        case .resolved:
            return EscalationPlan(notifyResolve: routes.contains { $0.notifyOnResolve })
        default:
            return .nothing
        }
    }

    /// What an escalation does when it comes due: the step's targets, and when the next one is.
    /// While a silence matches the alert, nothing: the step waits (looked at again every
    /// minute, so expiring a silence early takes effect within one).
    func fire(_ escalation: EscalationState, alert: Alert, silences: [Silence] = []) -> EscalationFiring {
        let now = clock.now()
        let matching = silences.filter { $0.isActive(at: now) && $0.matches(alert) }
        if let until = matching.map(\.endsAt).max() {
            let names = matching.map { $0.id == 0 ? ($0.comment ?? "maintenance") : "#\($0.id)" + ($0.comment.map { " (\($0))" } ?? "") }.joined(separator: ", ")
            return .postpone(until: min(until, now + 60), note: "silenced by \(names) until \(until.formatted(Date.ISO8601FormatStyle())): nobody paged",
                             log: !escalation.silenced)
        }
        metrics.escalationFired(lag: now.timeIntervalSince(escalation.dueAt))
        let route = router.routes.first { $0.name == escalation.route }
        let policy = policies[escalation.policy] ?? route.flatMap { $0.policy == nil ? self.policy(for: $0) : nil }
        guard let policy, let firing = policy.firing(at: escalation.position) else {
            return EscalationFiring(targets: [], next: nil, note: "policy \(escalation.policy) is no longer in the config: escalation stopped")
        }
        var nobodyOnCall: [String] = []
        let targets = policy.steps[firing.step].targets.flatMap { target -> [OutboxTarget] in
            guard !target.contacts.isEmpty else { return [OutboxTarget(channel: target.channel)] }
            let people = resolve(target.contacts, at: now, unstaffed: &nobodyOnCall)
            return people.map { OutboxTarget(channel: target.channel, recipient: $0) }
        }
        // After a silence, the policy's clock starts again from this step, so the steps after it
        // keep their spacing instead of all coming due at once.
        let startedAt = escalation.silenced ? now - firing.offset.timeInterval : escalation.startedAt
        let next = policy.firing(at: escalation.position + 1).map { (escalation.position + 1, startedAt + $0.offset.timeInterval) }
        var note = route?.policy == nil ? "notified by route \(escalation.route)" : "step \(firing.step + 1) of \(policy.steps.count) of policy \(policy.name)"
        if escalation.silenced { note = "silence over; " + note }
        if firing.pass > 0 { note += ", repeat \(firing.pass) of \(policy.repeatCount)" }
        if !nobodyOnCall.isEmpty { note += "; nobody on call in \(nobodyOnCall.joined(separator: ", "))" }
        var result = EscalationFiring(targets: targets, next: next, note: note)
        if escalation.silenced { result.restartedAt = startedAt }
        return result
    }

    /// Runs every detector's check (heartbeats missed, quiet continuous failures) and records
    /// what they raise or resolve, in one transaction. Returns what recording it did.
    @discardableResult
    public func runDetectors() async throws -> [AlertTransition] {
        guard !detectors.isEmpty else { return [] }
        let now = clock.now()
        let transitions = try await store.write { [self] transaction in
            let events = try detectors.flatMap { try $0.check(at: now, in: transaction) }
            return try AlertRecorder.record(events, at: now, in: transaction, plan: { plan($0, at: now) })
        }
        transitions.forEach(logDetected)
        return transitions
    }

    /// Records a beat (`notify heartbeat NAME`) and does what is then due (resolve notices, if
    /// the beat ended a missed alert).
    public func beat(_ name: String) async throws -> ProcessingResult {
        try await process(AlertEvent(kind: .heartbeat, source: name))
    }

    /// The silences in force at `now`: the stored ones and open maintenance windows.
    public func activeSilences(at now: Date) async throws -> [Silence] {
        let readings = try await store.silenceReadings(notEndedAt: now)
        for unreadable in readings.unreadable { logger.error("\(unreadable)") }
        return readings.silences.filter { $0.isActive(at: now) } + maintenance.compactMap { $0.silence(at: now) }
    }

    /// Contact names with every `oncall:SCHEDULE` replaced by who is on call at `date`, in
    /// order, each once. Schedules with nobody on call are added to `unstaffed`.
    public func resolve(_ names: [String], at date: Date, unstaffed: inout [String]) -> [String] {
        var people: [String] = []
        for name in names {
            var found = [name]
            if let scheduleName = OnCallTarget.scheduleName(name) {
                found = schedules[scheduleName]?.onCall(at: date) ?? []
                if found.isEmpty { unstaffed.append(scheduleName) }
            }
            for person in found where !people.contains(person) { people.append(person) }
        }
        return people
    }

    /// Does everything due now, until nothing is: fires due escalation steps into the outbox,
    /// claims outbox items (including ones a crashed process claimed and never finished),
    /// delivers them concurrently, and records each outcome. Returns what was delivered.
    @discardableResult
    public func runDue() async throws -> [OutboxDelivery] {
        try await runDetectors()
        var delivered: [OutboxDelivery] = []
        while true {
            let now = clock.now()
            let silences = try await activeSilences(at: now)
            // One transaction a round: fire due steps, queue due digests, claim what is ready.
            let (fired, items) = try await store.write { [self] transaction in
                var fired = try EscalationFirer.fireDue(at: now, limit: 256, in: transaction, fire: { fire($0, alert: $1, silences: silences) })
                if stormControl != nil { fired += try StormGate.flushDigests(at: now, in: transaction) }
                let items = try OutboxQueue.claim(owner: leaseOwner, at: now, leaseFor: leaseDuration, limit: maxConcurrentDeliveries, in: transaction)
                return (fired, items)
            }
            if items.isEmpty, fired == 0 { return delivered }
            delivered += try await withThrowingTaskGroup(of: OutboxDelivery.self) { group in
                for item in items {
                    group.addTask { try await self.deliver(item) }
                }
                var done: [OutboxDelivery] = []
                for try await result in group { done.append(result) }
                return done
            }
        }
    }

    /// Delivers one outbox item and records its outcome (which may bring the next step forward).
    private func deliver(_ item: OutboxItem) async throws -> OutboxDelivery {
        var report: DeliveryReport
        if let held = try await holdForStorm(item) {
            report = held
        } else if !item.digestOf.isEmpty {
            report = try await sendDigest(item)
        } else if let alert = try await store.alert(id: item.alertID) {
            let event = AlertEvent.message(about: alert, action: item.action, cause: item.event)
            let recipient = item.target.recipient.map { contacts[$0] ?? Contact(name: $0) }
            report = await send(alert: alert, event: event, channelName: item.target.channel, recipient: recipient)
        } else {
            report = DeliveryReport(channel: item.target.channel, recipient: item.target.recipient,
                                    attempts: [.init(startedAt: clock.now(), outcome: .permanent(reason: "alert \(item.alertID) is gone"))])
        }
        let now = clock.now()
        var retryAt: Date?
        if case .retryable(_, let retryAfter) = report.outcome, now < item.createdAt + giveUpAfter.timeInterval {
            retryAt = now + max(requeueDelay, retryAfter ?? .zero).timeInterval
        }
        let escalatedNow = try await store.write { [report, retryAt] transaction in
            try OutboxQueue.complete(item, report: report, retryAt: retryAt, at: now, in: transaction)
        }
        if escalatedNow {
            logger.notice("every delivery of a step failed permanently; escalating now", metadata: ["alert": "\(item.alertID)"])
        }
        log(report, alertID: item.alertID)
        metrics.delivered(report, latency: now.timeIntervalSince(item.createdAt))
        return OutboxDelivery(item: item, report: report)
    }

    /// Storm control for one page: nil to send it; else the report of holding it for the
    /// contact's digest (a throttled outcome whose time is when the digest goes).
    private func holdForStorm(_ item: OutboxItem) async throws -> DeliveryReport? {
        guard let stormControl, item.action == .trigger, item.digestOf.isEmpty, let contact = item.target.recipient,
              channels[item.target.channel]?.medium != nil else { return nil }
        let now = clock.now()
        let admission = try await store.write { transaction in
            try StormGate.admit(contact: contact, alertID: item.alertID, channel: item.target.channel, at: now, storm: stormControl, in: transaction)
        }
        guard case .held(let digestAt) = admission else { return nil }
        logger.notice("storm control: page held for a digest", metadata: ["alert": "\(item.alertID)", "to": "\(contact)", "digest_at": "\(digestAt.formatted(Date.ISO8601FormatStyle()))"])
        return DeliveryReport(channel: item.target.channel, recipient: contact, attempts: [.init(startedAt: now, outcome: .throttled(nextAllowed: digestAt))])
    }

    /// Sends a storm digest: the newest alert still triggered, carrying the others that are.
    private func sendDigest(_ item: OutboxItem) async throws -> DeliveryReport {
        var live: [Alert] = []
        for id in item.digestOf + [item.alertID] {
            if let alert = try await store.alert(id: id), alert.status == .triggered { live.append(alert) }
        }
        guard let newest = live.last else {
            return DeliveryReport(channel: item.target.channel, recipient: item.target.recipient,
                                  attempts: [.init(startedAt: clock.now(), outcome: .permanent(reason: "storm digest not sent: every alert in it was acknowledged or resolved"))])
        }
        let event = AlertEvent(kind: newest.kind, severity: newest.severity, environment: newest.environment,
                               source: newest.source, summary: newest.summary, dedupKey: newest.dedupKey)
        let recipient = item.target.recipient.map { contacts[$0] ?? Contact(name: $0) }
        let carried = live.dropLast().map { DigestItem(alertID: $0.id, summary: $0.summary, at: $0.firstSeen) }
        return await send(alert: newest, event: event, channelName: item.target.channel, recipient: recipient, carrying: carried)
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

    /// Ingests one event and does everything then due (for a new alert, its first step),
    /// waiting for the deliveries. Later steps are left to whoever calls ``runDue()`` later.
    public func process(_ event: AlertEvent) async throws -> ProcessingResult {
        guard let ingested = try await ingest([event]).first else {
            throw AlertStoreError.inconsistent("store returned no transition for one event")
        }
        let delivered = try await runDue()
        let alertID = ingested.transition.alert?.id
        let reports = delivered.filter { $0.item.alertID == alertID }.sorted { $0.item.id < $1.item.id }.map(\.report)
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

    /// - Parameter carrying: alerts held back by storm control that this message reports too.
    private func send(alert: Alert, event: AlertEvent, channelName: String, recipient: Contact?, carrying: [DigestItem] = []) async -> DeliveryReport {
        let now = clock.now()
        func failed(_ reason: String) -> DeliveryReport {
            DeliveryReport(channel: channelName, recipient: recipient?.name, attempts: [.init(startedAt: now, outcome: .permanent(reason: reason))])
        }
        guard let channel = channels[channelName] else { return failed("no channel named \(channelName)") }
        var notification = Notification(alert: alert, event: event, body: nil, recipient: recipient)
        if channel is SlackBotChannel, alert.id != 0 {
            // Later messages about an alert go in the thread of its first one on this channel.
            notification.thread = (try? await store.deliveries(alertID: alert.id))?.first { record in
                record.report.channel == channelName && record.report.outcome.isDelivered && record.report.providerID != nil
            }?.report.providerID
        }
        var throttleKey: ThrottleLedger.Key?
        if let medium = channel.medium {
            guard let recipient else { return failed("channel \(channelName) reaches people: name them with `to:`") }
            let key = ThrottleLedger.Key(contact: recipient.name, medium: medium)
            let item = DigestItem(alertID: alert.id, summary: alert.summary, at: now)
            switch await throttleLedger.admit(key, rule: throttleRule(for: recipient, channel: channelName, medium: medium), item: item, at: now) {
            case .throttled(let nextAllowed):
                // A storm digest's other alerts wait in the throttle's digest with this one.
                if !carrying.isEmpty { await throttleLedger.giveBack(Digest(items: carrying), for: key) }
                return DeliveryReport(channel: channelName, recipient: recipient.name, attempts: [.init(startedAt: now, outcome: .throttled(nextAllowed: nextAllowed))])
            case .allowed(let digest):
                notification.digest = digest
                throttleKey = key
                if !carrying.isEmpty { notification.digest = Digest(items: carrying + (digest?.items ?? [])) }
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
            let carried = Set(carrying.map(\.alertID))
            await throttleLedger.giveBack(Digest(items: digest.items.filter { !carried.contains($0.alertID) }), for: throttleKey)
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

extension Notifier {
    /// Runs escalations and the outbox until the task is cancelled: what `notify daemon` and
    /// `notify watch --keep-running` do. It wakes at the next due time and at least every
    /// `poll`, so a step fires within `poll` of its due time even when another process
    /// scheduled it.
    /// `wake` cuts a wait short: `notify serve` signals it when a request recorded something, so
    /// a page goes out at once rather than at the next poll.
    public func runContinuously(poll: Duration = .seconds(1), wake: WakeSignal? = nil, onDelivered: @Sendable (OutboxDelivery) -> Void = { _ in }) async throws {
        while !Task.isCancelled {
            do {
                // In its own task: cancelling the loop (SIGTERM) lets in-flight deliveries
                // finish and record their outcome instead of cutting them off half-way.
                let delivered = try await Task { try await self.runDue() }.value
                delivered.forEach(onDelivered)
                var wait = poll
                if let next = try await store.nextWakeUp() {
                    let untilNext = next.timeIntervalSince(clock.now())
                    wait = min(poll, max(.milliseconds(10), .milliseconds(Int64(untilNext * 1000))))
                }
                if let wake {
                    try await wake.wait(upTo: wait, clock: clock)
                } else {
                    try await clock.sleep(for: wait)
                }
            } catch where Task.isCancelled {
                return  // asked to stop: whatever threw was interrupted by that, not broken
            }
        }
    }
}
