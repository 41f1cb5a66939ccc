import Foundation

/// Where an alert stands, for a person at a terminal (`notify list`, `notify show`): who
/// acknowledged it, which escalation step fired last, what is due next, and who was paged and
/// how, in order. Read in one transaction from the alert's timeline, deliveries and outbox.
public struct AlertStanding: Sendable {
    /// One notification to one place or person, however many attempts it took.
    public struct Page: Sendable, Hashable, Encodable {
        /// When it was first tried, or queued when it has not been tried yet.
        public var at: Date
        public var channel: String
        public var recipient: String?
        /// A resolve notice rather than a page.
        public var resolveNotice: Bool
        /// `delivered`, `retryable`, `permanent`, `throttled`; `waiting` when not tried yet.
        public var outcome: String
        public var reason: String?
        public var attempts: Int
        /// A failed page that will be tried again then.
        public var nextTry: Date?

        enum CodingKeys: String, CodingKey {
            case at, channel, recipient, resolveNotice = "resolve_notice", outcome, reason, attempts, nextTry = "next_try"
        }

        /// `twilio-sms to alice`, or `ops-slack`.
        public var destination: String { recipient.map { "\(channel) to \($0)" } ?? channel }
    }

    public var alert: Alert
    /// Who acknowledged it last, and when; nil when nobody has (or it triggered again since).
    public var acknowledgedBy: String?
    public var acknowledgedAt: Date?
    /// The escalation step that fired last, when a policy escalates the alert.
    public var step: EscalationStep?
    /// When something is next due for it: a step, or a page waiting to be retried.
    public var nextDue: Date?
    /// When its next escalation step is due; nil when none is (the last step fired, or it is
    /// acknowledged).
    public var nextStep: Date?
    public var pages: [Page]

    public init(alert: Alert, acknowledgedBy: String? = nil, acknowledgedAt: Date? = nil, step: EscalationStep? = nil, nextDue: Date? = nil,
                nextStep: Date? = nil, pages: [Page] = []) {
        self.alert = alert
        self.acknowledgedBy = acknowledgedBy
        self.acknowledgedAt = acknowledgedAt
        self.step = step
        self.nextDue = nextDue
        self.nextStep = nextStep
        self.pages = pages
    }

    /// Reads one alert's standing inside a transaction: its timeline, escalations, outbox and
    /// deliveries, each once.
    static func read(_ alert: Alert, in transaction: any StoreTransaction) throws -> AlertStanding {
        let log = try transaction.log(alertID: alert.id)
        let outbox = try transaction.outbox(alertID: alert.id)
        let steps = try transaction.escalations(alertID: alert.id).map(\.dueAt).filter { $0 != EscalationState.noStepDue }
        var standing = AlertStanding(alert: alert, nextDue: nextDue(steps: steps, outbox: outbox), nextStep: steps.min())
        // An acknowledgement counts until the alert triggers again (its ack timeout ran out).
        if let last = log.last(where: { $0.change == .acknowledged || $0.change == .retriggered }), last.change == .acknowledged {
            standing.acknowledgedBy = last.actor
            standing.acknowledgedAt = last.at
        }
        standing.step = log.lazy.reversed().compactMap { $0.change == .escalated ? $0.note.flatMap(EscalationStep.init(note:)) : nil }.first
        standing.pages = pages(try transaction.deliveries(alertID: alert.id), outbox: outbox)
        return standing
    }

    /// When something is next due for one alert: a step of its escalation, or a page waiting
    /// to be retried; nil when nothing is (resolved, or waiting only for an acknowledgement).
    static func nextDue(alertID: Int64, in transaction: any StoreTransaction) throws -> Date? {
        let steps = try transaction.escalations(alertID: alertID).map(\.dueAt).filter { $0 != EscalationState.noStepDue }
        return nextDue(steps: steps, outbox: try transaction.outbox(alertID: alertID))
    }

    private static func nextDue(steps: [Date], outbox: [OutboxRow]) -> Date? {
        let pages = outbox.compactMap { row -> Date? in
            guard case .pending(let notBefore) = row.state else { return nil }
            return notBefore ?? row.item.createdAt
        }
        return (steps + pages).min()
    }

    /// Deliveries grouped into pages: a retry continues the page before it to the same place,
    /// unless another page for that place was queued in between.
    /// Outbox rows not tried yet are pages waiting; a page after a resolve notice was queued
    /// for its place is that notice.
    static func pages(_ records: [DeliveryRecord], outbox: [OutboxRow]) -> [Page] {
        var pages: [Page] = []
        var open: [String: Int] = [:]  // destination → index of its page being retried
        let notices = outbox.filter { $0.item.action == .resolve }
        for record in records {
            let report = record.report
            guard let first = report.attempts.first else { continue }
            // A page queued for the same place since the retried one began is a new page.
            if let index = open[report.destination], !outbox.contains(where: {
                $0.item.target.channel == report.channel && $0.item.target.recipient == report.recipient
                    && $0.item.createdAt > pages[index].at && $0.item.createdAt <= first.startedAt
            }) {
                pages[index].attempts += report.attempts.count
                pages[index].outcome = report.outcome.label
                pages[index].reason = report.outcome.reason
                if report.outcome.label != "retryable" { open[report.destination] = nil }
                continue
            }
            let notice = notices.contains { $0.item.target.channel == report.channel && $0.item.target.recipient == report.recipient && $0.item.createdAt <= first.startedAt }
            pages.append(Page(at: first.startedAt, channel: report.channel, recipient: report.recipient, resolveNotice: notice,
                              outcome: report.outcome.label, reason: report.outcome.reason, attempts: report.attempts.count))
            if report.outcome.label == "retryable" { open[report.destination] = pages.count - 1 }
        }
        for row in outbox {
            let destination = Page(at: row.item.createdAt, channel: row.item.target.channel, recipient: row.item.target.recipient,
                                   resolveNotice: row.item.action == .resolve, outcome: "waiting", attempts: 0)
            switch row.state {
            case .pending(let notBefore):
                if let index = open[destination.destination] {
                    pages[index].nextTry = notBefore
                    open[destination.destination] = nil
                } else {
                    var waiting = destination
                    waiting.nextTry = notBefore
                    pages.append(waiting)
                }
            case .claimed:
                if open[destination.destination] == nil, !pages.contains(where: { $0.destination == destination.destination && $0.at >= row.item.createdAt }) {
                    var sending = destination
                    sending.outcome = "sending"
                    pages.append(sending)
                }
            case .done:
                break
            }
        }
        return pages.sorted { $0.at < $1.at }
    }
}

extension AlertStanding: Encodable {
    enum CodingKeys: String, CodingKey {
        case acknowledgedBy = "acknowledged_by", acknowledgedAt = "acknowledged_at", step, nextDue = "next_due", nextStep = "next_step", pages
    }

    /// The alert's own fields, and beside them where it stands.
    public func encode(to encoder: any Encoder) throws {
        try alert.encode(to: encoder)
        try encodeStanding(to: encoder)
    }

    /// Where the alert stands, without the alert's own fields (`notify show` puts those under
    /// `alert`).
    public func encodeStanding(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(acknowledgedBy, forKey: .acknowledgedBy)
        try container.encodeIfPresent(acknowledgedAt, forKey: .acknowledgedAt)
        try container.encodeIfPresent(step, forKey: .step)
        try container.encodeIfPresent(nextDue, forKey: .nextDue)
        try container.encodeIfPresent(nextStep, forKey: .nextStep)
        try container.encode(pages, forKey: .pages)
    }
}

extension AlertStore {
    /// Where one alert stands; nil when there is no such alert.
    public func standing(alertID: Int64) async throws -> AlertStanding? {
        try await read { transaction in try transaction.alert(id: alertID).map { try AlertStanding.read($0, in: transaction) } }
    }

    /// Where the alerts whose status is one of `statuses` stand, newest first.
    public func standings(statuses: Set<AlertStatus>) async throws -> [AlertStanding] {
        try await read { transaction in try transaction.alerts(statuses: statuses).map { try AlertStanding.read($0, in: transaction) } }
    }
}
