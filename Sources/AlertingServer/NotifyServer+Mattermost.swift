import Alerting
import Foundation
import Hummingbird

/// Mattermost's button callback: the Acknowledge and Resolve buttons of `mattermost` messages.
///
/// Mattermost's server posts `{"user_name": ..., "context": {"token": ...}}` and signs nothing:
/// the token notify put in the button's context is what makes the press count. Mattermost shows
/// any status but 200 as an error, so every answer is a 200: `update` (the message as it now
/// stands) and `ephemeral_text` (what happened, to the one who pressed); a forged, expired or
/// used token changes nothing and says so only to them.
extension NotifyServer {
    func mattermostAction(_ request: Request) async throws -> Response {
        let body = try await body(of: request)
        guard let payload = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            return .json(.badRequest, ["status": "invalid", "message": "not a JSON object"])
        }
        let user = (payload["user_name"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? "someone"
        let tokenText = (payload["context"] as? [String: Any])?["token"] as? String ?? ""
        let pressed = try await press(tokenText, by: user, via: "Mattermost")
        var answer: [String: Any] = ["ephemeral_text": pressed.said(by: "@\(user)")]
        if case .acted(let token, _) = pressed, let update = await mattermostMessage(alertID: token.alertID) { answer["update"] = update }
        return .json(.ok, answer)
    }

    /// The alert's message as it now stands, with the buttons that still apply: what replaces
    /// the post the button was in.
    private func mattermostMessage(alertID: Int64) async -> [String: Any]? {
        guard let channel = notifier.channels.values.compactMap({ $0 as? MattermostChannel }).sorted(by: { $0.name < $1.name }).first,
              let selector = channel.template, let alert = try? await notifier.alert(id: alertID) else { return nil }
        let event = AlertEvent(kind: alert.kind, severity: alert.severity, environment: alert.environment, source: alert.source, summary: alert.summary,
                               dedupKey: alert.dedupKey)
        guard let rendered = try? notifier.renderer.render(Notification(alert: alert, event: event, body: nil), channelName: channel.name, selector: selector),
              let message = channel.message(alert: alert, rendered: rendered) else { return nil }
        return ["message": message["text"] ?? "", "props": ["attachments": message["attachments"] ?? []]]
    }
}
