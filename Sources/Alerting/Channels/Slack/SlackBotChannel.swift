import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Posts through Slack's Web API (`chat.postMessage` with a bot token) instead of a webhook:
/// messages carry Acknowledge and Resolve buttons (answered at `notify serve`'s
/// `/slack/interactions`), and later messages about an alert go in the thread of its first.
///
/// The Web API answers 200 even for errors, with `{"ok": false, "error": "..."}`; 429 carries
/// `Retry-After`. Errors that mean "try later" are retried; the rest (a bad token, a channel the
/// bot is not in) are permanent.
public struct SlackBotChannel: Channel {
    public let name: String
    public let token: Secret
    /// The conversation id (`C0123...`) to post in.
    public let conversation: String
    public let baseURL: String
    public let template: TemplateSelector? = TemplateSelector(family: "slack", format: .slackJSON)
    /// Replies go in the thread of the alert's first message; its buttons acknowledge and resolve.
    public var capabilities: ChannelCapabilities { Self.declaredCapabilities }
    public static let declaredCapabilities = ChannelCapabilities(threadsReplies: true, takesAcknowledgements: true)
    private let poster: HTTPPoster
    private let clock: any AlertingClock

    public static let acknowledgeAction = "notify_acknowledge"
    public static let resolveAction = "notify_resolve"

    public init(name: String, token: Secret, conversation: String, baseURL: String = "https://slack.com/api", client: HTTPClient,
                timeout: Duration = .seconds(10), clock: any AlertingClock = SystemClock()) {
        self.name = name
        self.token = token
        self.conversation = conversation
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.poster = HTTPPoster(client: client, timeout: timeout)
        self.clock = clock
    }

    public func deliver(_ notification: Notification) async -> DeliveryOutcome {
        guard let body = notification.body,
              var message = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] else {
            return .permanent(reason: "the Slack template did not produce a JSON object")
        }
        message["channel"] = conversation
        if let thread = notification.thread { message["thread_ts"] = thread }
        var blocks = message["blocks"] as? [[String: Any]] ?? []
        if let buttons = Self.buttons(for: notification.alert, status: notification.event.action == .resolve ? .resolved : notification.alert.status) {
            blocks.append(buttons)
        }
        if !blocks.isEmpty { message["blocks"] = blocks }
        guard let data = try? JSONSerialization.data(withJSONObject: message) else { return .permanent(reason: "cannot encode the Slack message") }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        headers.add(name: "Authorization", value: "Bearer \(token.exposedValue)")
        headers.add(name: "User-Agent", value: NotifyVersion.userAgent)
        switch await poster.post(url: baseURL + "/chat.postMessage", headers: headers, body: ByteBuffer(bytes: data)) {
        case .failure(let failure):
            return failure.outcome
        case .success(let answer):
            guard answer.status == 200 else {
                return HTTPResponseClassifier.classify(status: answer.status, retryAfter: answer.headers.first(name: "Retry-After"),
                                                       detail: HTTPResponseClassifier.excerpt(answer.body, limit: 200), now: clock.now())
            }
            return Self.outcome(of: Data(answer.body.readableBytesView))
        }
    }

    /// `{"ok": true, "ts": ...}` is delivered (the ts is the provider id, used to thread); an
    /// `ok: false` error is retryable or permanent by its code.
    static func outcome(of body: Data) -> DeliveryOutcome {
        guard let answer = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
            return .retryable(reason: "Slack answered 200 with something that is not JSON", retryAfter: nil)
        }
        if answer["ok"] as? Bool == true { return .delivered(providerID: answer["ts"] as? String) }
        let code = answer["error"] as? String ?? "unknown_error"
        let retryable = ["ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"]
        return retryable.contains(code) ? .retryable(reason: "Slack: \(code)", retryAfter: nil) : .permanent(reason: "Slack: \(code)")
    }

    /// The actions block: Acknowledge and Resolve while triggered, Resolve once acknowledged,
    /// none once resolved. Each button's value is the alert id.
    public static func buttons(for alert: Alert, status: AlertStatus) -> [String: Any]? {
        var elements: [[String: Any]] = []
        if status == .triggered {
            elements.append(["type": "button", "action_id": acknowledgeAction, "value": String(alert.id), "style": "primary",
                             "text": ["type": "plain_text", "text": "Acknowledge"]])
        }
        if status != .resolved {
            elements.append(["type": "button", "action_id": resolveAction, "value": String(alert.id),
                             "text": ["type": "plain_text", "text": "Resolve"]])
        }
        return elements.isEmpty ? nil : ["type": "actions", "block_id": "notify_alert_\(alert.id)", "elements": elements]
    }
}
