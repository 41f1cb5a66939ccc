import Foundation

/// Admission: what becomes of each claimed outbox item before it may go out, decided inside the
/// round's transaction (so it costs no transaction of its own, and every instance decides on
/// the same rows), in this order:
///
/// 1. **alert**: the item's alert, read with the claim; gone: permanent;
/// 2. **storm digest**: the alerts a digest carries that are still triggered; none: not sent;
/// 3. **stop**: a page for an alert acknowledged meanwhile, or resolved past its first step, is
///    not sent;
/// 4. **channel**: it must exist, and a channel that reaches people needs a person;
/// 5. **storm hold**: past the storm cap, the page waits for the person's digest (``StormGate``);
/// 6. **throttle**: the person's window for the medium (``ThrottleGate``); a full one sends the
///    page back to the outbox until it frees;
/// 7. **gather**: the other pages waiting for the same person by the same medium are claimed
///    and ride along in this one message, newest first: a storm to one person is a few
///    messages, not a queue;
/// 8. **thread**: for a channel that threads its replies, the provider's id of the alert's
///    first message there.
///
/// What is admitted goes to transmission (``Transmission``) as a ``PreparedDelivery``.
public enum DeliveryAdmission {
    /// What admission knows besides the store.
    public struct Context: Sendable {
        public var channels: [String: any Channel]
        public var contacts: [String: Contact]
        /// Per channel: its limit per contact, replacing the medium's default.
        public var throttles: [String: ThrottleRule]
        public var stormControl: StormControl?
        /// Who claims what admission gathers, and until when.
        public var owner: LeaseOwner
        public var leaseUntil: Date

        public init(channels: [String: any Channel], contacts: [String: Contact], throttles: [String: ThrottleRule] = [:],
                    stormControl: StormControl? = nil, owner: LeaseOwner, leaseUntil: Date) {
            self.channels = channels
            self.contacts = contacts
            self.throttles = throttles
            self.stormControl = stormControl
            self.owner = owner
            self.leaseUntil = leaseUntil
        }

        /// The throttle for one contact on one channel: the contact's own for the medium, else
        /// the channel's, else the medium's default.
        public func throttleRule(for contact: Contact, channel: String, medium: ContactMedium) -> ThrottleRule {
            contact.throttles[medium] ?? throttles[channel] ?? ThrottleRule.defaultRule(for: medium)
        }

        /// A contact of the config, or one known by name only (a schedule's member removed since).
        func contact(_ name: String) -> Contact {
            contacts[name] ?? Contact(name: name)
        }
    }

    /// What admission decided for one item.
    public enum Decision: Sendable {
        /// It goes out.
        case send(PreparedDelivery)
        /// It does not go out now: this is its outcome, recorded in the same transaction; with
        /// `retryAt`, the item goes back to the outbox until then.
        case settled(DeliveryReport, retryAt: Date?)
    }

    /// Admits `items` (just claimed), in order.
    /// - Parameter alerts: the items' alerts, read with the claim.
    public static func admit(_ items: [OutboxItem], alerts: [Int64: Alert], at now: Date, context: Context,
                             in transaction: any StoreTransaction) throws -> [(item: OutboxItem, decision: Decision)] {
        try items.map { item in (item, try admit(item, alert: alerts[item.alertID], at: now, context: context, in: transaction)) }
    }

    static func admit(_ item: OutboxItem, alert: Alert?, at now: Date, context: Context, in transaction: any StoreTransaction) throws -> Decision {
        func settled(_ outcome: DeliveryOutcome, retryAt: Date? = nil) -> Decision {
            .settled(DeliveryReport(channel: item.target.channel, recipient: item.target.recipient, attempts: [.init(startedAt: now, outcome: outcome)]),
                     retryAt: retryAt)
        }
        // 1. alert
        guard let alert else { return settled(.permanent(reason: "alert \(item.alertID) is gone")) }
        // 2. storm digest: the newest alert still triggered, carrying the others that are.
        var lead = (alert: alert, event: AlertEvent.message(about: alert, action: item.action, cause: item.event))
        var digest: [DigestItem] = []
        if !item.digestOf.isEmpty {
            let carried = try transaction.alerts(ids: item.digestOf + [item.alertID]).filter { $0.status == .triggered }.sorted { $0.id < $1.id }
            guard let newest = carried.last else {
                return settled(.permanent(reason: "storm digest not sent: every alert in it was acknowledged or resolved"))
            }
            lead = (newest, AlertEvent.message(about: newest, action: .trigger, cause: nil))
            digest = carried.dropLast().map { DigestItem(alertID: $0.id, summary: $0.summary, at: $0.firstSeen) }
        } else if item.action == .trigger {
            // 3. stop: the first step of a resolved alert still goes, as when it was pending.
            if alert.status == .acknowledged { return settled(.permanent(reason: "not sent: the alert was acknowledged meanwhile")) }
            if alert.status == .resolved, item.position != 0 { return settled(.permanent(reason: "not sent: the alert was resolved meanwhile")) }
        }
        // 4. channel
        guard let channel = context.channels[item.target.channel] else { return settled(.permanent(reason: "no channel named \(item.target.channel)")) }
        var recipient: Contact?
        var carried: [OutboxItem] = []
        if let medium = channel.capabilities.medium {
            guard let name = item.target.recipient else {
                return settled(.permanent(reason: "channel \(item.target.channel) reaches people: name them with `to:`"))
            }
            let contact = context.contact(name)
            recipient = contact
            // 5. storm hold
            if let storm = context.stormControl, item.action == .trigger, item.digestOf.isEmpty,
               case .held(let digestAt) = try StormGate.admit(contact: name, alertID: item.alertID, channel: item.target.channel, at: now, storm: storm, in: transaction) {
                return settled(.throttled(nextAllowed: digestAt))
            }
            // 6. throttle
            let rule = context.throttleRule(for: contact, channel: item.target.channel, medium: medium)
            if case .throttled(let nextAllowed) = try ThrottleGate.admit(contact: name, medium: medium, rule: rule, at: now, in: transaction) {
                return settled(.throttled(nextAllowed: nextAllowed), retryAt: nextAllowed)
            }
            // 7. gather
            let sameMedium = Set(context.channels.values.filter { $0.capabilities.medium == medium }.map(\.name))
            carried = try ThrottleGate.waiting(for: name, channels: sameMedium, besides: item.id, at: now, in: transaction)
            if !carried.isEmpty {
                try transaction.setOutboxState(.claimed(owner: context.owner.description, until: context.leaseUntil), ids: carried.map(\.id))
                let carriedAlerts = try transaction.alerts(ids: carried.map(\.alertID))
                let others = carriedAlerts.map { other in
                    (alert: other, event: AlertEvent.message(about: other, action: .trigger, cause: carried.first { $0.alertID == other.id }?.event))
                }
                let all = ([lead] + others).sorted { $0.alert.id > $1.alert.id }
                // The newest page leads; the ones before it follow, newest first.
                var seen: Set<Int64> = [all[0].alert.id]
                lead = all[0]
                for other in all.dropFirst() where seen.insert(other.alert.id).inserted {
                    digest.append(DigestItem(alertID: other.alert.id, summary: other.alert.summary, at: other.alert.firstSeen))
                }
            }
        }
        var notification = Notification(alert: lead.alert, event: lead.event, body: nil, recipient: recipient)
        if !digest.isEmpty { notification.digest = Digest(items: digest.sorted { $0.alertID > $1.alertID }) }
        // 8. thread
        if channel.capabilities.threadsReplies {
            notification.thread = try transaction.deliveries(alertID: lead.alert.id).first { record in
                record.report.channel == channel.name && record.report.outcome.isDelivered && record.report.providerID != nil
            }?.report.providerID
        }
        return .send(PreparedDelivery(item: item, carried: carried, channel: channel, notification: notification))
    }
}
