import AsyncHTTPClient
import Foundation
import NIOCore

/// Calls the recipient through Twilio's Calls API and reads the alert out.
///
/// `POST {base}/2010-04-01/Accounts/{sid}/Calls.json` with `To`, `From`, inline `Twiml` (built
/// by ``TwiML``), `Timeout` (ring seconds) and optional `MachineDetection`. With a
/// `callbackURL` (the public address of `notify serve`), the call asks "press 4 to acknowledge,
/// 6 to resolve" and sends the digit to `{callbackURL}/twilio/voice/gather?alert=ID`.
public struct TwilioVoiceChannel: Channel {
    public let name: String
    /// Calls a person; with a callback URL, 4 on the keypad acknowledges and 6 resolves.
    public var capabilities: ChannelCapabilities { .person(.voice, takesAcknowledgements: callbackURL != nil) }
    public let template: TemplateSelector? = TemplateSelector(family: "voice", format: .text)
    public let account: TwilioAccount
    public let from: String
    public let callbackURL: String?
    public let ringTimeout: Duration
    /// `Enable` or `DetectMessageEnd`, or nil for none.
    public let machineDetection: String?
    private let poster: HTTPPoster
    private let clock: any AlertingClock

    public init(name: String, account: TwilioAccount, from: String, callbackURL: String? = nil, ringTimeout: Duration = .seconds(30), machineDetection: String? = nil, client: HTTPClient, timeout: Duration = .seconds(10), clock: any AlertingClock = SystemClock()) {
        self.name = name
        self.account = account
        self.from = from
        self.callbackURL = callbackURL
        self.ringTimeout = ringTimeout
        self.machineDetection = machineDetection
        self.poster = HTTPPoster(client: client, timeout: timeout)
        self.clock = clock
    }

    public func deliver(_ notification: Notification) async -> DeliveryOutcome {
        guard let phone = notification.recipientPhone else { return notification.missingPhoneOutcome }
        let twiml = TwiML.alertCall(
            text: ASCII.trimmed(notification.body ?? notification.alert.summary),
            // Only a page offers the keypad: there is nothing to acknowledge in a resolve notice.
            gatherURL: notification.event.action == .resolve ? nil : callbackURL.map { TwiML.gatherURL(base: $0, alertID: notification.alert.id) })
        var fields = [("To", phone.e164), ("From", from), ("Twiml", twiml), ("Timeout", String(Int(ringTimeout.timeInterval)))]
        if let machineDetection { fields.append(("MachineDetection", machineDetection)) }
        return await account.create("Calls", fields: fields, poster: poster, now: clock.now)
    }
}
