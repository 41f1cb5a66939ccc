import Alerting
import AlertingConfig
import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Slack's interactivity callback: the Acknowledge and Resolve buttons of `slack_bot` messages.
extension NotifyServer {
    func slackInteraction(_ request: Request) async throws -> Response {
        guard let slack else { return .json(.notFound, ["status": "not found", "message": "server.slack.signing_secret is not configured"]) }
        let body = try await body(of: request)
        let check = slack.verify(signature: request.headers[.slackSignature], timestamp: request.headers[.slackTimestamp], body: body, now: notifier.clock.now())
        if case .failure(let failure) = check {
            logger.warning("Slack interaction refused", metadata: ["reason": "\(failure)"])
            return .json(.unauthorized, ["status": "unauthorized", "message": failure.description])
        }
        let form = HTTPForm.decode(String(decoding: body, as: UTF8.self))
        guard let payloadText = form.first(where: { $0.0 == "payload" })?.1,
              let payload = (try? JSONSerialization.jsonObject(with: Data(payloadText.utf8))) as? [String: Any] else {
            return .json(.badRequest, ["status": "invalid", "message": "no payload field with a JSON object"])
        }
        guard payload["type"] as? String == "block_actions",
              let action = (payload["actions"] as? [[String: Any]])?.first,
              let actionID = action["action_id"] as? String,
              [SlackBotChannel.acknowledgeAction, SlackBotChannel.resolveAction].contains(actionID),
              let alertID = (action["value"] as? String).flatMap({ Int64($0) }) else {
            return Response(status: .ok)  // some other interaction: nothing for notify to do
        }
        let user = payload["user"] as? [String: Any]
        let userID = user?["id"] as? String ?? ""
        let responseURL = payload["response_url"] as? String
        guard let contact = notifier.contacts.values.first(where: { $0.slackMemberID == userID }) else {
            logger.warning("Slack button pressed by someone who is no contact: refused", metadata: ["slack_user": "\(userID)"])
            respond(at: responseURL, with: ["response_type": "ephemeral", "replace_original": false,
                                            "text": "Your Slack account (\(userID)) is not a notify contact, so notify did not act. Add `slack: \(userID)` to your contact in the config."])
            return Response(status: .ok)
        }
        let verb: EventAction = actionID == SlackBotChannel.acknowledgeAction ? .acknowledge : .resolve
        let outcome = await act(verb, alertID: alertID, by: contact.name, via: "Slack")
        // Confirm in place: the message loses the buttons that no longer apply and says who did it.
        var blocks = ((payload["message"] as? [String: Any])?["blocks"] as? [[String: Any]] ?? []).filter {
            !(($0["block_id"] as? String)?.hasPrefix("notify_alert_") ?? false) && !(($0["block_id"] as? String)?.hasPrefix("notify_outcome_") ?? false)
        }
        blocks.append(["type": "context", "block_id": "notify_outcome_\(alertID)",
                       "elements": [["type": "mrkdwn", "text": "\(outcome.hasPrefix("Alert") ? "✅" : "⚠️") \(SlackJSONContentType.escapeMrkdwn(outcome)) (<@\(userID)>)"]]])
        if let alert = try? await notifier.alert(id: alertID), let buttons = SlackBotChannel.buttons(for: alert, status: alert.status) {
            blocks.append(buttons)
        }
        let text = ((payload["message"] as? [String: Any])?["text"] as? String) ?? outcome
        respond(at: responseURL, with: ["replace_original": true, "text": text, "blocks": blocks])
        return Response(status: .ok)
    }

    /// Posts to an interaction's `response_url` without holding up the answer to Slack (which
    /// must come within 3 seconds).
    func respond(at responseURL: String?, with message: [String: Any]) {
        guard let responseURL, responseURL.hasPrefix("http"),
              let data = try? JSONSerialization.data(withJSONObject: message) else { return }
        let client = httpClient
        let logger = logger
        Task {
            var request = HTTPClientRequest(url: responseURL)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
            request.body = .bytes(ByteBuffer(bytes: data))
            do {
                let response = try await client.execute(request, timeout: .seconds(10))
                _ = try await response.body.collect(upTo: 64 * 1024)
                if response.status.code >= 300 { logger.warning("Slack response_url answered \(response.status.code)") }
            } catch {
                logger.warning("could not update the Slack message", metadata: ["error": "\(error)"])
            }
        }
    }
}
