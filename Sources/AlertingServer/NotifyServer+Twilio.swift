import Alerting
import AlertingConfig
import Foundation
import HTTPTypes
import Hummingbird

/// Twilio's callbacks: SMS replies (`/twilio/sms`) and keypad presses during a call
/// (`/twilio/voice/gather`). Both are signed (`X-Twilio-Signature`) over the public URL.
extension NotifyServer {
    /// A reply to a page: `ACK`, `4 123`, `resolve 123`... (``ReplyCommand``) from a contact's
    /// number. The answer is TwiML whose `<Message>` texts the outcome back.
    func twilioSMS(_ request: Request) async throws -> Response {
        guard let parameters = try await verifiedTwilioForm(request) else { return Self.forbidden }
        let from = parameters.first { $0.0 == "From" }?.1 ?? ""
        let text = parameters.first { $0.0 == "Body" }?.1 ?? ""
        guard let contact = contact(withPhone: from) else {
            logger.warning("SMS from a number that is no contact's: refused", metadata: ["from": "\(from)"])
            return .xml(TwiMLReply.empty)
        }
        guard let command = ReplyCommand.parse(text) else { return .xml(TwiMLReply.message(ReplyCommand.help)) }
        var alertID = command.alertID
        if alertID == nil {
            let smsChannels = notifier.channels.values.filter { $0.medium == .sms }.map(\.name)
            alertID = try await notifier.lastAlertDelivered(to: contact.name, channels: smsChannels)
        }
        guard let alertID else { return .xml(TwiMLReply.message("No alert was sent to you to \(command.action == .acknowledge ? "acknowledge" : "resolve"). Reply ACK 123 to name one.")) }
        let reply = await act(command.action == .acknowledge ? .acknowledge : .resolve, alertID: alertID, by: contact.name, via: "SMS reply")
        return .xml(TwiMLReply.message(reply))
    }

    /// A key pressed after a page call: 4 acknowledges, 6 resolves, anything else hears the
    /// alert again. The person is the number called (`To`).
    func twilioGather(_ request: Request) async throws -> Response {
        guard let parameters = try await verifiedTwilioForm(request) else { return Self.forbidden }
        guard let alertID = request.uri.queryParameters["alert"].flatMap({ Int64(String($0)) }) else {
            return .xml(TwiMLReply.say("This call is not about an alert notify knows. Goodbye."))
        }
        let digits = parameters.first { $0.0 == "Digits" }?.1 ?? ""
        let called = parameters.first { $0.0 == "To" }?.1 ?? parameters.first { $0.0 == "Called" }?.1 ?? ""
        let actor = contact(withPhone: called)?.name ?? called
        switch digits {
        case TwiML.acknowledgeDigit:
            return .xml(TwiMLReply.say(await act(.acknowledge, alertID: alertID, by: actor, via: "phone keypad")))
        case TwiML.resolveDigit:
            return .xml(TwiMLReply.say(await act(.resolve, alertID: alertID, by: actor, via: "phone keypad")))
        default:
            return .xml(try await repeatCall(alertID: alertID))
        }
    }

    /// The contact whose `phone` is `number` (E.164, as Twilio sends it).
    func contact(withPhone number: String) -> Contact? {
        notifier.contacts.values.first { $0.phone?.e164 == number }
    }

    /// Acknowledges or resolves, and says what came of it in a sentence for the person.
    func act(_ action: EventAction, alertID: Int64, by actor: String, via medium: String) async -> String {
        let verb = action == .acknowledge ? "acknowledged" : "resolved"
        do {
            let result = try await notifier.act(action, alertID: alertID, actor: actor, note: "by \(medium)", deliverNow: false)
            wake.signal()
            let summary = result.alert.map { ": \($0.summary)" } ?? ""
            if result.transition.change == .alreadyAcknowledged { return "Alert #\(alertID) was already acknowledged\(summary)" }
            return "Alert #\(alertID) \(verb)\(summary)"
        } catch let error as Notifier.ActionError {
            return "Could not do that: \(error)."
        } catch {
            logger.error("could not record an acknowledgement", metadata: ["alert": "\(alertID)", "error": "\(error)"])
            return "Sorry, notify could not record that. Try again."
        }
    }

    /// The alert's call again, with its keypad menu.
    func repeatCall(alertID: Int64) async throws -> String {
        guard let alert = try await notifier.alert(id: alertID) else { return TwiMLReply.say("Alert \(alertID) is not known. Goodbye.") }
        var text = "Alert number \(alert.id). \(alert.summary)."
        if let channel = notifier.channels.values.first(where: { $0.medium == .voice }), let selector = channel.template {
            let event = AlertEvent(kind: alert.kind, severity: alert.severity, environment: alert.environment, source: alert.source, summary: alert.summary, dedupKey: alert.dedupKey)
            if let rendered = try? notifier.renderer.render(Notification(alert: alert, event: event, body: nil), channelName: channel.name, selector: selector) { text = rendered }
        }
        let gather = config.publicURL.map { TwiML.gatherURL(base: $0, alertID: alertID) }
        return TwiML.alertCall(text: text, gatherURL: gather)
    }

    /// The form parameters, when the signature is right for them and the public URL.
    func verifiedTwilioForm(_ request: Request) async throws -> [(String, String)]? {
        let body = try await body(of: request)
        let parameters = HTTPForm.decode(String(decoding: body, as: UTF8.self))
        let base = config.publicURL ?? "http://\(config.host):\(config.port)"
        let url = base + request.uri.string
        guard twilio.isValid(signature: request.headers[.twilioSignature], url: url, parameters: parameters) else {
            logger.warning("Twilio callback refused: missing or wrong X-Twilio-Signature", metadata: ["path": "\(request.uri.path)"])
            return nil
        }
        return parameters
    }

    static let forbidden = Response.json(.forbidden, ["status": "forbidden", "message": "signature missing or wrong"])
}

/// TwiML answers to Twilio's callbacks.
enum TwiMLReply {
    static let empty = #"<?xml version="1.0" encoding="UTF-8"?><Response/>"#

    static func message(_ text: String) -> String {
        #"<?xml version="1.0" encoding="UTF-8"?><Response><Message>\#(TwiML.escape(text))</Message></Response>"#
    }

    static func say(_ text: String) -> String {
        #"<?xml version="1.0" encoding="UTF-8"?><Response><Say>\#(TwiML.escape(text))</Say><Hangup/></Response>"#
    }
}

extension HTTPField.Name {
    static let twilioSignature = HTTPField.Name("X-Twilio-Signature")!
    static let slackSignature = HTTPField.Name("X-Slack-Signature")!
    static let slackTimestamp = HTTPField.Name("X-Slack-Request-Timestamp")!
}
