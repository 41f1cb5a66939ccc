import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Sends one request and hands back status, headers and at most `maxBody` bytes of the answer,
/// or a transport outcome: the HTTP step every HTTP channel shares, so each one only says what
/// an answer means. Its reasons never contain the URL or a header value (either may be a secret).
///
/// A channel of your own uses it from ``Channel/deliver(_:)``:
///
/// ```swift
/// let poster = HTTPPoster(client: context.client, timeout: context.timeout)
/// return await poster.deliver(url: webhookURL, json: body)
/// ```
public struct HTTPPoster: Sendable {
    public struct Answer: Sendable {
        public var status: UInt
        public var headers: HTTPHeaders
        public var body: ByteBuffer

        /// The body's bytes, for `JSONSerialization` or `JSONDecoder`.
        public var data: Data { Data(body.readableBytesView) }
    }

    let client: HTTPClient
    let timeout: Duration
    let maxBody = 64 * 1024

    /// - Parameter timeout: each request's deadline, from connect to the last byte of the answer.
    public init(client: HTTPClient, timeout: Duration) {
        self.client = client
        self.timeout = timeout
    }

    /// - Returns: the answer, or the retryable outcome of a transport failure.
    public func post(url: String, headers: HTTPHeaders, body: ByteBuffer) async -> Result<Answer, TransportFailure> {
        await send(method: .POST, url: url, headers: headers, body: body)
    }

    public func send(method: HTTPMethod, url: String, headers: HTTPHeaders, body: ByteBuffer?) async -> Result<Answer, TransportFailure> {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers = headers
        if let body { request.body = .bytes(body) }
        do {
            let response = try await client.execute(request, timeout: .init(timeout))
            let body = try await response.body.collect(upTo: maxBody)
            return .success(Answer(status: response.status.code, headers: response.headers, body: body))
        } catch is NIOTooManyBytesError {
            return .failure(TransportFailure(outcome: .retryable(reason: "answer larger than \(maxBody) bytes", retryAfter: nil)))
        } catch {
            return .failure(TransportFailure(outcome: HTTPResponseClassifier.transportFailure(error, timeout: timeout)))
        }
    }

    /// Posts JSON and reads the answer with the rules most providers share (see
    /// ``HTTPResponseClassifier``): 2xx delivered; 408, 425, 429 (with its `Retry-After`) and
    /// 5xx retryable; other statuses permanent; transport errors retryable, in words.
    /// - Parameter headers: besides `Content-Type` and `User-Agent`; values may be secrets and
    ///   are never repeated in a reason.
    public func deliver(url: Secret, json: String, headers: [String: Secret] = [:], detailLimit: Int = 200, now: Date = Date()) async -> DeliveryOutcome {
        var fields = HTTPHeaders()
        fields.add(name: "Content-Type", value: "application/json; charset=utf-8")
        fields.add(name: "User-Agent", value: NotifyVersion.userAgent)
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { fields.add(name: name, value: value.exposedValue) }
        return await deliver(url: url, headers: fields, body: ByteBuffer(string: json), detailLimit: detailLimit, now: now)
    }

    /// Posts JSON (with `Content-Type` and `User-Agent` set) and hands the answer to `read`, for
    /// providers whose answers need reading of their own (a JSON `ok`, an error id); a transport
    /// failure is its retryable outcome. Header values may be secrets and never reach a reason.
    public func deliver(url: String, json: Data, headers: [String: String] = [:], read: (Answer) -> DeliveryOutcome) async -> DeliveryOutcome {
        await deliver(url: url, contentType: "application/json; charset=utf-8", body: ByteBuffer(bytes: json), headers: headers, read: read)
    }

    /// Posts `application/x-www-form-urlencoded` fields and hands the answer to `read`.
    public func deliver(url: String, form: [(String, String)], headers: [String: String] = [:], read: (Answer) -> DeliveryOutcome) async -> DeliveryOutcome {
        await deliver(url: url, contentType: "application/x-www-form-urlencoded", body: ByteBuffer(string: HTTPForm.encode(form)), headers: headers, read: read)
    }

    private func deliver(url: String, contentType: String, body: ByteBuffer, headers: [String: String], read: (Answer) -> DeliveryOutcome) async -> DeliveryOutcome {
        var fields = HTTPHeaders()
        fields.add(name: "Content-Type", value: contentType)
        fields.add(name: "User-Agent", value: NotifyVersion.userAgent)
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { fields.add(name: name, value: value) }
        switch await post(url: url, headers: fields, body: body) {
        case .failure(let failure): return failure.outcome
        case .success(let answer): return read(answer)
        }
    }

    /// Posts and reads the answer with the rules most providers share (see
    /// ``HTTPResponseClassifier``); a failed answer's reason is the first `detailLimit`
    /// printable characters of its body (Slack's `channel_not_found`).
    public func deliver(url: Secret, headers: HTTPHeaders, body: ByteBuffer, detailLimit: Int, now: Date) async -> DeliveryOutcome {
        switch await post(url: url.exposedValue, headers: headers, body: body) {
        case .failure(let failure):
            return failure.outcome
        case .success(let answer):
            let succeeded = (200..<300).contains(answer.status)
            return HTTPResponseClassifier.classify(
                status: answer.status, retryAfter: answer.headers.first(name: "Retry-After"),
                detail: succeeded ? nil : HTTPResponseClassifier.excerpt(answer.body, limit: detailLimit), now: now)
        }
    }

    public struct TransportFailure: Error, Sendable {
        /// Always retryable: the request may not have reached the provider.
        public var outcome: DeliveryOutcome
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let parts = duration.components
        self = .nanoseconds(parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000)
    }
}
