import AsyncHTTPClient
import Foundation

/// Sends a message with a Telegram bot (Bot API `sendMessage`, `parse_mode: HTML`): to one
/// group or channel (`chat`), or to each person's own chat with the bot (their `telegram:`
/// address, the chat id the bot sees when they write to it).
///
/// Telegram answers `{"ok": true, "result": {Message}}`, or `{"ok": false, "error_code": N,
/// "description": "...", "parameters": {"retry_after": S}}` with the same HTTP status. 429
/// waits `retry_after`; 5xx is retried; 400 (chat not found), 401 (bad token) and 403 (the
/// person blocked the bot) are permanent. The token is in the URL's path: it never appears in
/// an outcome.
///
/// With a `signer` (`server.action_secret` and `public_url` set), an open alert's message has
/// Acknowledge and Resolve buttons whose `callback_data` is a signed single-use
/// ``ActionToken``; Telegram sends the press to `notify serve`'s webhook.
public struct TelegramChannel: Channel {
    /// Where the messages go.
    public enum Destination: Sendable, Hashable {
        /// One chat for every message: a group (`-1001234567890`) or a channel (`@ops_alerts`).
        case chat(String)
        /// Each recipient's own chat (``ContactMedium/telegram``).
        case person
    }

    public let name: String
    public let destination: Destination
    public let signer: ActionSigner?
    public let template: TemplateSelector? = TemplateSelector(family: "telegram", format: .html)
    private let token: Secret
    private let baseURL: String
    private let poster: HTTPPoster
    private let clock: any AlertingClock

    /// Telegram's limit on a message's text, in characters after entities are parsed.
    public static let maxTextLength = 4096

    public static func capabilities(for destination: Destination) -> ChannelCapabilities {
        destination == .person ? .person(.telegram) : .place
    }

    public var capabilities: ChannelCapabilities {
        var capabilities = Self.capabilities(for: destination)
        capabilities.takesAcknowledgements = signer != nil
        return capabilities
    }

    public init(name: String, token: Secret, destination: Destination, signer: ActionSigner? = nil, baseURL: String = "https://api.telegram.org",
                client: HTTPClient, timeout: Duration = .seconds(10), clock: any AlertingClock = SystemClock()) {
        self.name = name
        self.signer = signer
        self.token = token
        self.destination = destination
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.poster = HTTPPoster(client: client, timeout: timeout)
        self.clock = clock
    }

    public func deliver(_ notification: Notification) async -> DeliveryOutcome {
        guard let text = notification.body else { return .permanent(reason: "nothing rendered for Telegram") }
        let chat: String
        switch destination {
        case .chat(let fixed): chat = fixed
        case .person:
            guard let address = notification.recipientAddress(for: .telegram) else { return notification.missingAddressOutcome(for: .telegram) }
            chat = address
        }
        var message: [String: Any] = [
            "chat_id": chat,
            "text": Self.fitted(text),
            "parse_mode": "HTML",
            "link_preview_options": ["is_disabled": true],
        ]
        if let keyboard = keyboard(for: notification.alert) { message["reply_markup"] = keyboard }
        guard let body = try? JSONSerialization.data(withJSONObject: message, options: [.sortedKeys]) else {
            return .permanent(reason: "cannot encode the Telegram message")
        }
        let now = clock.now()
        return await poster.deliver(url: "\(baseURL)/bot\(token.exposedValue)/sendMessage", json: body) { answer in
            Self.outcome(status: answer.status, body: answer.data, now: now)
        }
    }

    /// The buttons that apply to the alert as it stands (Acknowledge and Resolve while it is
    /// triggered, Resolve once acknowledged), or nil for none.
    public func keyboard(for alert: Alert) -> [String: Any]? {
        guard let signer, alert.status.isOpen else { return nil }
        let now = clock.now()
        var row: [[String: String]] = []
        if alert.status == .triggered {
            row.append(["text": "Acknowledge", "callback_data": signer.token(alertID: alert.id, action: .acknowledge, now: now)])
        }
        row.append(["text": "Resolve", "callback_data": signer.token(alertID: alert.id, action: .resolve, now: now)])
        return ["inline_keyboard": [row]]
    }

    /// Replaces a message notify sent (`chat_id:message_id` as ``deliver(_:)`` reported it, or
    /// the two from a button press) with `rendered`, and the buttons that apply to `alert` now.
    public func edit(chat: String, messageID: Int, alert: Alert, rendered: String) async -> DeliveryOutcome {
        var parameters: [String: Any] = ["chat_id": chat, "message_id": messageID, "text": Self.fitted(rendered), "parse_mode": "HTML",
                                         "link_preview_options": ["is_disabled": true]]
        if let keyboard = keyboard(for: alert) { parameters["reply_markup"] = keyboard }
        return await call("editMessageText", parameters)
    }

    /// Calls a Bot API method (`answerCallbackQuery`, `editMessageText`) with a JSON body.
    public func call(_ method: String, _ parameters: [String: Any]) async -> DeliveryOutcome {
        guard let body = try? JSONSerialization.data(withJSONObject: parameters, options: [.sortedKeys]) else {
            return .permanent(reason: "cannot encode the Telegram request")
        }
        let now = clock.now()
        return await poster.deliver(url: "\(baseURL)/bot\(token.exposedValue)/\(method)", json: body) { answer in
            Self.outcome(status: answer.status, body: answer.data, now: now)
        }
    }

    /// What an answer of the Bot API means. A delivered message's provider id is
    /// `chat_id:message_id`, what editing it later needs.
    static func outcome(status: UInt, body: Data, now: Date) -> DeliveryOutcome {
        let answer = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
        if (200..<300).contains(status), answer?["ok"] as? Bool == true {
            let result = answer?["result"] as? [String: Any]
            let chat = (result?["chat"] as? [String: Any])?["id"].map { "\($0)" }
            let message = result?["message_id"].map { "\($0)" }
            return .delivered(providerID: chat.flatMap { chat in message.map { "\(chat):\($0)" } })
        }
        let description = (answer?["description"] as? String).map { String($0.prefix(200)) }
        let retryAfter = ((answer?["parameters"] as? [String: Any])?["retry_after"] as? Int).map { Duration.seconds($0) }
        let code = (answer?["error_code"] as? Int).map(UInt.init) ?? status
        if (200..<300).contains(code) { return .retryable(reason: "Telegram: an answer that is not the Bot API's", retryAfter: nil) }
        let outcome = HTTPResponseClassifier.classify(status: code, retryAfter: nil, detail: description, now: now)
        if case .retryable(let reason, _) = outcome { return .retryable(reason: reason, retryAfter: retryAfter) }
        return outcome
    }

    /// The text cut to Telegram's limit, on a line boundary when there is one, so that no HTML
    /// tag is left open (every tag the default template writes opens and closes on one line).
    static func fitted(_ text: String) -> String {
        guard text.count > maxTextLength else { return text }
        let cut = text.prefix(maxTextLength - 1)
        let lines = cut.lastIndex(of: "\n").map { cut[..<$0] } ?? cut
        return String(lines) + "…"
    }
}
