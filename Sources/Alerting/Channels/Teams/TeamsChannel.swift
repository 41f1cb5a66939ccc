import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Posts an Adaptive Card to a Microsoft Teams channel or chat through a Workflows (Power
/// Automate) webhook: the "Post to a channel when a webhook request is received" template.
/// The retired Office 365 connectors (`webhook.office.com`, `MessageCard`) are not spoken.
///
/// The workflow answers 202 with an empty body: the run is queued, and the card is posted
/// after. Any 2xx is delivered and never retried (a retry would post the card twice); a card
/// the workflow then fails to post shows only in its run history, which notify cannot see.
/// 429 and 5xx are retried; any other 4xx (a deleted flow, a body it cannot use) is permanent.
/// Teams cannot call notify back without a bot, so its cards have no Acknowledge button.
public struct TeamsChannel: Channel {
    public let name: String
    /// The whole URL is the credential (its `sig` parameter).
    public let url: Secret
    public let template: TemplateSelector? = TemplateSelector(family: "teams", format: .json)
    private let poster: HTTPPoster
    private let clock: any AlertingClock

    /// Teams refuses a card over about 28 KB; notify sends a short card instead of a larger one.
    public static let maxBodyBytes = 27 * 1024

    public init(name: String, url: Secret, client: HTTPClient, timeout: Duration = .seconds(10), clock: any AlertingClock = SystemClock()) {
        self.name = name
        self.url = url
        self.poster = HTTPPoster(client: client, timeout: timeout)
        self.clock = clock
    }

    public func deliver(_ notification: Notification) async -> DeliveryOutcome {
        guard var body = notification.body else { return .permanent(reason: "nothing rendered for Teams") }
        if body.utf8.count > Self.maxBodyBytes { body = Self.shortCard(notification) }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        headers.add(name: "User-Agent", value: NotifyVersion.userAgent)
        return await poster.deliver(url: url, headers: headers, body: ByteBuffer(string: body), detailLimit: 200, now: clock.now())
    }

    /// The card for an alert whose full card is too large: its title and summary, cut short.
    static func shortCard(_ notification: Notification) -> String {
        let alert = notification.alert
        let title = (alert.status == .resolved ? "Resolved: " : "\(alert.severity.rawValue.uppercased()): ") + "alert #\(alert.id)"
        let card: [String: Any] = [
            "type": "message",
            "attachments": [[
                "contentType": "application/vnd.microsoft.card.adaptive",
                "content": [
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard", "version": "1.4",
                    "body": [
                        ["type": "TextBlock", "weight": "Bolder", "wrap": true, "text": title],
                        ["type": "TextBlock", "wrap": true, "text": PushText.cut(alert.summary, to: 2000)],
                        ["type": "TextBlock", "wrap": true, "isSubtle": true, "text": "The full card was larger than Teams takes; `notify show \(alert.id)` has it all."],
                    ] as [[String: Any]],
                ] as [String: Any],
            ]],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: card, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
