import AsyncHTTPClient
import Foundation
import Mustache
import NIOCore
import NIOHTTP1

/// Sends an SMS or places a call through any HTTP provider, as an ``HTTPGatewaySpec`` describes.
/// `Examples/gateways.yaml` has ready specs for Vonage, Plivo and MessageBird.
public struct HTTPGatewayChannel: Channel {
    public let name: String
    public let capabilities: ChannelCapabilities
    public let template: TemplateSelector?
    public let maxSegments: Int
    private let spec: HTTPGatewaySpec
    private let compiled: CompiledSpec
    private let poster: HTTPPoster
    private let clock: any AlertingClock

    /// - Throws: ``TemplateError`` when a template in the spec does not parse.
    public init(name: String, medium: ContactMedium, spec: HTTPGatewaySpec, maxSegments: Int = 1, client: HTTPClient, timeout: Duration = .seconds(10), clock: any AlertingClock = SystemClock()) throws {
        self.name = name
        self.capabilities = .person(medium)
        self.template = TemplateSelector(family: medium.rawValue, format: .text)
        self.maxSegments = maxSegments
        self.spec = spec
        self.compiled = try CompiledSpec(spec)
        self.poster = HTTPPoster(client: client, timeout: timeout)
        self.clock = clock
    }

    public func deliver(_ notification: Notification) async -> DeliveryOutcome {
        guard let recipient = notification.recipient, let phone = notification.recipientPhone else { return notification.missingPhoneOutcome }
        var text = ASCII.trimmed(notification.body ?? notification.alert.summary)
        if capabilities.medium == .sms { text = SMSText.fit(text, maxSegments: maxSegments) }
        let view = NotificationView(notification, channelName: name)
        view.extra["to"] = phone.e164
        view.extra["to_digits"] = phone.digits
        view.extra["text"] = text
        view.extra["contact"] = ["name": recipient.name]

        var url = compiled.url.render(view)
        if !compiled.query.isEmpty {
            url += (url.contains("?") ? "&" : "?") + HTTPForm.encode(compiled.query.map { ($0.name, $0.template.render(view)) })
        }
        var headers = HTTPHeaders()
        headers.add(name: "User-Agent", value: NotifyVersion.userAgent)
        var body: ByteBuffer?
        switch compiled.body {
        case .none:
            break
        case .form(let fields):
            headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            body = ByteBuffer(string: HTTPForm.encode(fields.map { ($0.name, $0.template.render(view)) }))
        case .json(let template):
            let json = template.render(view)
            guard (try? JSONParser.parse(Array(json.utf8))) != nil else {
                return .permanent(reason: "the gateway's json body template produced invalid JSON")
            }
            headers.add(name: "Content-Type", value: "application/json")
            body = ByteBuffer(string: json)
        }
        switch spec.auth {
        case .none: break
        case .basic(let username, let password):
            headers.add(name: "Authorization", value: HTTPForm.basicAuthorization(user: username.exposedValue, password: password.exposedValue))
        case .header(let name, let value):
            headers.replaceOrAdd(name: name, value: value.exposedValue)
        }
        for field in compiled.headers {
            headers.replaceOrAdd(name: field.name, value: field.template.render(view))
        }
        switch await poster.send(method: HTTPMethod(rawValue: spec.method), url: url, headers: headers, body: body) {
        case .failure(let failure):
            return failure.outcome
        case .success(let answer):
            return classify(answer)
        }
    }

    private func classify(_ answer: HTTPPoster.Answer) -> DeliveryOutcome {
        let json = try? JSONParser.parse(answer.body.readableBytesView)
        let providerError = spec.errorField.flatMap { json?.value(atPath: $0)?.displayText }
        guard spec.success.statuses.contains(answer.status) else {
            return HTTPResponseClassifier.classify(
                status: answer.status, retryAfter: answer.headers.first(name: "Retry-After"),
                detail: providerError ?? HTTPResponseClassifier.excerpt(answer.body, limit: 120), now: clock.now())
        }
        let providerID = spec.idField.flatMap { json?.value(atPath: $0)?.displayText }
        guard let field = spec.success.jsonField else { return .delivered(providerID: providerID) }
        let value = json?.value(atPath: field)?.displayText
        if let value, value == spec.success.equals { return .delivered(providerID: providerID) }
        let reason = "HTTP \(answer.status), \(field) = \(value.map { "\"\($0)\"" } ?? "missing")" + (providerError.map { ": \($0)" } ?? "")
        if let value, spec.success.retryValues.contains(value) {
            return .retryable(reason: reason, retryAfter: nil)
        }
        return .permanent(reason: reason)
    }
}

/// The spec's templates, parsed once.
private struct CompiledSpec: Sendable {
    struct Field: Sendable {
        var name: String
        var template: MustacheTemplate
    }

    enum Body: Sendable {
        case none
        case form([Field])
        case json(MustacheTemplate)
    }

    var url: MustacheTemplate
    var headers: [Field]
    var query: [Field]
    var body: Body

    init(_ spec: HTTPGatewaySpec) throws {
        _ = EscapingContentTypes.registered
        func compile(_ text: String, _ contentType: String, _ what: String) throws -> MustacheTemplate {
            do {
                return try MustacheTemplate(string: "{{% CONTENT_TYPE: \(contentType)}}\n" + text)
            } catch {
                throw TemplateError.syntax(name: what, detail: "\(error)")
            }
        }
        url = try compile(spec.url, URLComponentContentType.name, "url")
        headers = try spec.headers.map { Field(name: $0.name, template: try compile($0.template, "TEXT", "headers.\($0.name)")) }
        query = try spec.query.map { Field(name: $0.name, template: try compile($0.template, "TEXT", "query.\($0.name)")) }
        switch spec.body {
        case .none: body = .none
        case .form(let fields): body = .form(try fields.map { Field(name: $0.name, template: try compile($0.template, "TEXT", "body.form.\($0.name)")) })
        case .json(let text): body = .json(try compile(text, JSONStringContentType.name, "body.json"))
        }
    }
}

extension JSONValue {
    /// The value at a dotted path (`messages.0.status`); numbers index arrays.
    public func value(atPath path: String) -> JSONValue? {
        var current: JSONValue? = self
        for component in path.split(separator: ".") {
            switch current {
            case .object(let members)?: current = members[String(component)]
            case .array(let items)?:
                guard let index = Int(component), items.indices.contains(index) else { return nil }
                current = items[index]
            default: return nil
            }
        }
        return current
    }
}
