import Foundation
import Logging

/// Delivers one outbox item, stage by stage, in this order:
///
/// 1. storm hold: past the storm cap, the page waits for the contact's digest (``StormGate``);
/// 2. message: the alert and the event that caused the item (a digest: the alerts it carries);
/// 3. throttle: per contact and medium (``ThrottleGate``); a throttled page waits in the outbox
///    until its window frees, and the next message to that person carries it;
/// 4. thread: later Slack messages about an alert go in the thread of its first one;
/// 5. render: the channel's template;
/// 6. retry: the ``Deliverer`` tries again what the channel says is worth it, waiting in place
///    no longer than `maxWait` (a longer wait goes back to the outbox, see ``Notifier``).
///
/// Recording the outcome is the ``OutboxQueue``'s, in the caller's transaction.
public final class DeliveryPipeline: Sendable {
    let store: any AlertStore
    let channels: [String: any Channel]
    let contacts: [String: Contact]
    let renderer: TemplateRenderer
    let deliverer: Deliverer
    let channelThrottles: [String: ThrottleRule]
    let stormControl: StormControl?
    let clock: any AlertingClock
    let logger: Logger

    init(store: any AlertStore, channels: [String: any Channel], contacts: [String: Contact], renderer: TemplateRenderer, deliverer: Deliverer,
         channelThrottles: [String: ThrottleRule], stormControl: StormControl?, clock: any AlertingClock, logger: Logger) {
        self.store = store
        self.channels = channels
        self.contacts = contacts
        self.renderer = renderer
        self.deliverer = deliverer
        self.channelThrottles = channelThrottles
        self.stormControl = stormControl
        self.clock = clock
        self.logger = logger
    }

    /// What delivering one outbox item came to.
    struct Result: Sendable {
        var report: DeliveryReport
        /// Other waiting pages this message carried in its digest: done once it is delivered.
        var carried: [OutboxItem] = []
        /// A throttled page waits in the outbox until then.
        var retryAt: Date?
    }

    /// - Parameter alert: the item's alert when the caller has it already (read with the claim).
    func deliver(_ item: OutboxItem, alert known: Alert? = nil, maxWait: Duration? = nil) async throws -> Result {
        if let problem = item.problem { logger.error("state file damaged: \(problem)", metadata: ["alert": "\(item.alertID)"]) }
        if let held = try await holdForStorm(item) { return Result(report: held) }
        if !item.digestOf.isEmpty { return try await sendDigest(item, maxWait: maxWait) }
        guard let alert = try await (known?.id == item.alertID ? known : store.alert(id: item.alertID)) else {
            return Result(report: DeliveryReport(channel: item.target.channel, recipient: item.target.recipient,
                                                 attempts: [.init(startedAt: clock.now(), outcome: .permanent(reason: "alert \(item.alertID) is gone"))]))
        }
        let event = AlertEvent.message(about: alert, action: item.action, cause: item.event)
        return await send(alert: alert, event: event, channelName: item.target.channel, recipient: contact(item.target.recipient), item: item, maxWait: maxWait)
    }

    private func contact(_ name: String?) -> Contact? {
        name.map { contacts[$0] ?? Contact(name: $0) }
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
    private func sendDigest(_ item: OutboxItem, maxWait: Duration?) async throws -> Result {
        var live: [Alert] = []
        for id in item.digestOf + [item.alertID] {
            if let alert = try await store.alert(id: id), alert.status == .triggered { live.append(alert) }
        }
        guard let newest = live.last else {
            return Result(report: DeliveryReport(channel: item.target.channel, recipient: item.target.recipient,
                                                 attempts: [.init(startedAt: clock.now(), outcome: .permanent(reason: "storm digest not sent: every alert in it was acknowledged or resolved"))]))
        }
        let event = AlertEvent.message(about: newest, action: .trigger, cause: nil)
        let carried = live.dropLast().map { DigestItem(alertID: $0.id, summary: $0.summary, at: $0.firstSeen) }
        return await send(alert: newest, event: event, channelName: item.target.channel, recipient: contact(item.target.recipient), carrying: carried, item: item, maxWait: maxWait)
    }

    /// The throttle for one contact on one channel: the contact's own for the medium, else the
    /// channel's, else the medium's default.
    public func throttleRule(for contact: Contact, channel: String, medium: ContactMedium) -> ThrottleRule {
        contact.throttles[medium] ?? channelThrottles[channel] ?? ThrottleRule.defaultRule(for: medium)
    }

    /// Throttle, thread, render and deliver one message.
    /// - Parameters:
    ///   - carrying: alerts held back by storm control that this message reports too.
    ///   - item: the outbox item it delivers, if any (test sends and direct deliveries have none).
    func send(alert: Alert, event: AlertEvent, channelName: String, recipient: Contact?, carrying: [DigestItem] = [],
              item: OutboxItem? = nil, maxWait: Duration? = nil) async -> Result {
        let now = clock.now()
        func failed(_ reason: String) -> Result {
            Result(report: DeliveryReport(channel: channelName, recipient: recipient?.name, attempts: [.init(startedAt: now, outcome: .permanent(reason: reason))]))
        }
        guard let channel = channels[channelName] else { return failed("no channel named \(channelName)") }
        var notification = Notification(alert: alert, event: event, body: nil, recipient: recipient)
        var waiting: [OutboxRow] = []
        if let medium = channel.medium {
            guard let recipient else { return failed("channel \(channelName) reaches people: name them with `to:`") }
            let rule = throttleRule(for: recipient, channel: channelName, medium: medium)
            let sameMedium = Set(channels.values.filter { $0.medium == medium }.map(\.name))
            do {
                let (admission, rows) = try await store.write { transaction in
                    let admission = try ThrottleGate.admit(contact: recipient.name, medium: medium, rule: rule, at: now, in: transaction)
                    guard admission == .allowed, item != nil else { return (admission, [OutboxRow]()) }
                    return (admission, try ThrottleGate.waiting(for: recipient.name, channels: sameMedium, besides: item?.id, at: now, in: transaction))
                }
                if case .throttled(let nextAllowed) = admission {
                    return Result(report: DeliveryReport(channel: channelName, recipient: recipient.name, attempts: [.init(startedAt: now, outcome: .throttled(nextAllowed: nextAllowed))]),
                                  retryAt: nextAllowed)
                }
                waiting = rows
            } catch {
                return Result(report: DeliveryReport(channel: channelName, recipient: recipient.name,
                                                     attempts: [.init(startedAt: now, outcome: .retryable(reason: "throttle check: state store: \(error)", retryAfter: nil))]))
            }
            var items = carrying
            for row in waiting {
                guard let waitingAlert = try? await store.alert(id: row.item.alertID), !items.contains(where: { $0.alertID == waitingAlert.id }) else { continue }
                items.append(DigestItem(alertID: waitingAlert.id, summary: waitingAlert.summary, at: waitingAlert.firstSeen))
            }
            if !items.isEmpty { notification.digest = Digest(items: items.sorted { $0.at < $1.at }) }
        } else if !carrying.isEmpty {
            notification.digest = Digest(items: carrying)
        }
        if channel.capabilities.threadsReplies, alert.id != 0 {
            notification.thread = await threadOfFirstMessage(alertID: alert.id, channelName: channelName)
        }
        var report: DeliveryReport
        if let selector = channel.template {
            do {
                notification.body = try renderer.render(notification, channelName: channelName, selector: selector)
                report = await deliverer.deliver(notification, via: channel, maxWait: maxWait, stopReason: stopReason(for: item))
            } catch {
                return failed("\(error)")
            }
        } else {
            report = await deliverer.deliver(notification, via: channel, maxWait: maxWait, stopReason: stopReason(for: item))
        }
        report.recipient = recipient?.name
        return Result(report: report, carried: waiting.map(\.item))
    }

    /// Why a page should not be tried again: its alert was acknowledged meanwhile (by anyone, on
    /// any instance), or resolved past its first step (the first step of a resolved alert still
    /// goes, as when it was pending). Nil for resolve notices and digests.
    private func stopReason(for item: OutboxItem?) -> (@Sendable () async -> String?)? {
        guard let item, item.action == .trigger, item.digestOf.isEmpty, item.alertID != 0 else { return nil }
        return { [store] in
            switch try? await store.read({ try $0.alertStatus(id: item.alertID) }) {
            case .acknowledged?: "the alert was acknowledged meanwhile"
            case .resolved? where item.position != 0: "the alert was resolved meanwhile"
            default: nil
            }
        }
    }

    /// Later messages about an alert go in the thread of its first one on this channel. When
    /// the lookup fails the message still goes, unthreaded, and the log says why.
    private func threadOfFirstMessage(alertID: Int64, channelName: String) async -> String? {
        do {
            return try await store.deliveries(alertID: alertID).first { record in
                record.report.channel == channelName && record.report.outcome.isDelivered && record.report.providerID != nil
            }?.report.providerID
        } catch {
            logger.error("could not look up the Slack thread; sending unthreaded", metadata: ["alert": "\(alertID)", "channel": "\(channelName)", "error": "\(error)"])
            return nil
        }
    }
}
