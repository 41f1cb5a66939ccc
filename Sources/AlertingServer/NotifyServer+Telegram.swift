import Alerting
import Foundation
import HTTPTypes
import Hummingbird

/// Telegram's webhook: presses of the Acknowledge and Resolve buttons of `telegram` messages.
///
/// Telegram signs nothing; it sends the `secret_token` given to `setWebhook` in
/// `X-Telegram-Bot-Api-Secret-Token`, compared here in constant time (401 when wrong: nothing
/// is read). Every other answer is a 200, or Telegram sends the update again. The press is
/// answered in the response itself (`answerCallbackQuery`, which stops the button's spinner
/// and shows the outcome), and the message is edited to the alert as it now stands.
extension NotifyServer {
    static let telegramSecretHeader = HTTPField.Name("X-Telegram-Bot-Api-Secret-Token")!

    func telegramWebhook(_ request: Request) async throws -> Response {
        guard let expected = config.telegramSecretToken else {
            return .json(.notFound, ["status": "not found", "message": "server.telegram.secret_token is not configured"])
        }
        let given = request.headers[Self.telegramSecretHeader] ?? ""
        guard constantTimeEqual(given, expected.exposedValue) else {
            logger.warning("Telegram webhook refused: wrong or missing secret token")
            return .json(.unauthorized, ["status": "unauthorized", "message": "wrong or missing X-Telegram-Bot-Api-Secret-Token"])
        }
        let body = try await body(of: request)
        guard let update = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any],
              let query = update["callback_query"] as? [String: Any], let queryID = query["id"] as? String else {
            return Response(status: .ok)  // another kind of update (a message to the bot): nothing for notify to do
        }
        let from = query["from"] as? [String: Any]
        let userID = (from?["id"]).map { "\($0)" } ?? ""
        let actor = notifier.contacts.values.first(where: { $0.address(for: .telegram) == userID })?.name
            ?? (from?["username"] as? String).map { "@\($0)" } ?? "telegram user \(userID)"
        let pressed = try await press(query["data"] as? String ?? "", by: actor, via: "Telegram")
        var alertID: Int64?
        if case .acted(let token, _) = pressed { alertID = token.alertID }
        let text = pressed.said(by: actor)
        if let alertID, let message = query["message"] as? [String: Any] { editTelegramMessage(message, alertID: alertID) }
        return .json(.ok, ["method": "answerCallbackQuery", "callback_query_id": queryID, "text": String(text.prefix(200)), "show_alert": alertID == nil])
    }

    /// Edits the message the button was in to the alert as it now stands, with the buttons that
    /// still apply, after the answer (Telegram waits for the webhook's answer, not for this).
    private func editTelegramMessage(_ message: [String: Any], alertID: Int64) {
        guard let chat = ((message["chat"] as? [String: Any])?["id"]).map({ "\($0)" }), let messageID = message["message_id"] as? Int,
              let channel = notifier.channels.values.compactMap({ $0 as? TelegramChannel }).sorted(by: { $0.name < $1.name }).first,
              let selector = channel.template else { return }
        let notifier = notifier
        let logger = logger
        Task {
            guard let alert = try? await notifier.alert(id: alertID) else { return }
            let event = AlertEvent(kind: alert.kind, severity: alert.severity, environment: alert.environment, source: alert.source, summary: alert.summary,
                                   dedupKey: alert.dedupKey)
            guard let text = try? notifier.renderer.render(Notification(alert: alert, event: event, body: nil), channelName: channel.name, selector: selector) else { return }
            let outcome = await channel.edit(chat: chat, messageID: messageID, alert: alert, rendered: text)
            // "message is not modified": a second press that changed nothing. Anything else is worth a line.
            if !outcome.isDelivered, !(outcome.reason ?? "").contains("not modified") {
                logger.warning("Telegram message not updated", metadata: ["alert": "\(alertID)", "reason": "\(outcome.reason ?? "")"])
            }
        }
    }
}
