import AsyncHTTPClient
import Foundation
import NIOCore

/// Sends an SMS through Twilio's Messages API to the notification's recipient.
///
/// `POST {base}/2010-04-01/Accounts/{sid}/Messages.json`, form-encoded `To`, `From` (or
/// `MessagingServiceSid`), `Body`, optional `StatusCallback`; HTTP Basic `sid:token`. The text,
/// from `Templates/sms/`, is cut to `maxSegments` segments first.
public struct TwilioSMSChannel: Channel {
    /// Who the message comes from: a number (or alphanumeric sender id), or a Messaging Service
    /// that picks one from its pool.
    public enum Sender: Sendable, Hashable {
        case from(String)
        case messagingService(String)
    }

    public let name: String
    /// Reaches a person by SMS; a reply of `ACK` acknowledges when replies reach notify.
    public var capabilities: ChannelCapabilities { .person(.sms, takesAcknowledgements: repliesAccepted) }
    public let template: TemplateSelector? = TemplateSelector(family: "sms", format: .text)
    public let account: TwilioAccount
    public let sender: Sender
    public let statusCallback: String?
    public let maxSegments: Int
    /// Whether replies reach notify (`notify serve` with a `public_url`): then a page ends with
    /// how to acknowledge it, kept whatever the cut.
    public let repliesAccepted: Bool
    private let poster: HTTPPoster
    private let clock: any AlertingClock

    public init(name: String, account: TwilioAccount, sender: Sender, statusCallback: String? = nil, maxSegments: Int = 1, repliesAccepted: Bool = false, client: HTTPClient, timeout: Duration = .seconds(10), clock: any AlertingClock = SystemClock()) {
        self.name = name
        self.account = account
        self.sender = sender
        self.statusCallback = statusCallback
        self.repliesAccepted = repliesAccepted
        self.maxSegments = maxSegments
        self.poster = HTTPPoster(client: client, timeout: timeout)
        self.clock = clock
    }

    public func deliver(_ notification: Notification) async -> DeliveryOutcome {
        guard let phone = notification.recipientPhone else { return notification.missingPhoneOutcome }
        var fields = [("To", phone.e164)]
        switch sender {
        case .from(let number): fields.append(("From", number))
        case .messagingService(let sid): fields.append(("MessagingServiceSid", sid))
        }
        let text = ASCII.trimmed(notification.body ?? notification.alert.summary)
        if repliesAccepted, notification.event.action == .trigger, notification.alert.status == .triggered, notification.alert.id != 0 {
            fields.append(("Body", SMSText.fit(text, maxSegments: maxSegments, keeping: " Reply 4 or ACK \(notification.alert.id) to acknowledge")))
        } else {
            fields.append(("Body", SMSText.fit(text, maxSegments: maxSegments)))
        }
        if let statusCallback { fields.append(("StatusCallback", statusCallback)) }
        return await account.create("Messages", fields: fields, poster: poster, now: clock.now)
    }
}
