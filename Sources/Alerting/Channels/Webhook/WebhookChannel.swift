import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// POSTs the alert and the event as JSON to any URL, with the headers the config gives
/// (often an `Authorization` header, so their values are secrets).
///
/// Body: `{"version":"1","alert":{...},"event":{...}}`. 2xx is delivered; 408, 429 and 5xx are
/// retried (429 honouring `Retry-After`); any other status is permanent.
public struct WebhookChannel: Channel {
    public let name: String
    public let url: Secret
    public let headers: [String: Secret]
    public let template: TemplateSelector? = nil
    private let poster: HTTPPoster
    private let clock: any AlertingClock

    public init(name: String, url: Secret, headers: [String: Secret] = [:], client: HTTPClient, timeout: Duration = .seconds(10), clock: any AlertingClock = SystemClock()) {
        self.name = name
        self.url = url
        self.headers = headers
        self.poster = HTTPPoster(client: client, timeout: timeout)
        self.clock = clock
    }

    /// The JSON body the webhook receives.
    public struct Payload: Encodable, Sendable {
        public var version = "1"
        public var alert: Alert
        public var event: AlertEvent
    }

    public func deliver(_ notification: Notification) async -> DeliveryOutcome {
        let body: Data
        do {
            body = try JSONEncoder.notify().encode(Payload(alert: notification.alert, event: notification.event))
        } catch {
            return .permanent(reason: "could not encode the alert as JSON")
        }
        var httpHeaders = HTTPHeaders()
        httpHeaders.add(name: "Content-Type", value: "application/json")
        httpHeaders.add(name: "User-Agent", value: NotifyVersion.userAgent)
        for (header, value) in headers.sorted(by: { $0.key < $1.key }) {
            httpHeaders.replaceOrAdd(name: header, value: value.exposedValue)
        }
        return await poster.deliver(url: url, headers: httpHeaders, body: ByteBuffer(bytes: body), detailLimit: 120, now: clock.now())
    }
}
