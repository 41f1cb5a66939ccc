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
    public let medium: ContactMedium? = .sms
    public let template: TemplateSelector? = TemplateSelector(family: "sms", format: .text)
    public let account: TwilioAccount
    public let sender: Sender
    public let statusCallback: String?
    public let maxSegments: Int
    private let poster: HTTPPoster
    private let clock: any AlertingClock

    public init(name: String, account: TwilioAccount, sender: Sender, statusCallback: String? = nil, maxSegments: Int = 1, client: HTTPClient, timeout: Duration = .seconds(10), clock: any AlertingClock = SystemClock()) {
        self.name = name
        self.account = account
        self.sender = sender
        self.statusCallback = statusCallback
        self.maxSegments = maxSegments
        self.poster = HTTPPoster(client: client, timeout: timeout)
        self.clock = clock
    }

    public func deliver(_ notification: Notification) async -> DeliveryOutcome {
        guard let recipient = notification.recipient else { return .permanent(reason: "no recipient") }
        guard let phone = recipient.phone else { return .permanent(reason: "contact \(recipient.name) has no phone number") }
        var fields = [("To", phone.e164)]
        switch sender {
        case .from(let number): fields.append(("From", number))
        case .messagingService(let sid): fields.append(("MessagingServiceSid", sid))
        }
        fields.append(("Body", SMSText.fit(ASCII.trimmed(notification.body ?? notification.alert.summary), maxSegments: maxSegments)))
        if let statusCallback { fields.append(("StatusCallback", statusCallback)) }
        switch await poster.post(url: account.url("Messages"), headers: account.headers(), body: ByteBuffer(string: HTTPForm.encode(fields))) {
        case .failure(let failure):
            return failure.outcome
        case .success(let answer):
            return TwilioResponse.outcome(status: answer.status, body: answer.body, retryAfter: answer.headers.first(name: "Retry-After"), now: clock.now())
        }
    }
}
