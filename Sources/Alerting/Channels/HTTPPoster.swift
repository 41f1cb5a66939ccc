import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Sends one request and hands back status, headers and at most `maxBody` bytes of the answer,
/// or a transport outcome. Shared by the HTTP channels so each one only says what an answer means.
struct HTTPPoster: Sendable {
    struct Answer {
        var status: UInt
        var headers: HTTPHeaders
        var body: ByteBuffer
    }

    let client: HTTPClient
    let timeout: Duration
    let maxBody = 64 * 1024

    /// - Returns: the answer, or the retryable outcome of a transport failure.
    func post(url: String, headers: HTTPHeaders, body: ByteBuffer) async -> Result<Answer, TransportFailure> {
        await send(method: .POST, url: url, headers: headers, body: body)
    }

    func send(method: HTTPMethod, url: String, headers: HTTPHeaders, body: ByteBuffer?) async -> Result<Answer, TransportFailure> {
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

    /// Posts and reads the answer with the rules most providers share (see
    /// ``HTTPResponseClassifier``); a failed answer's reason is the first `detailLimit`
    /// printable characters of its body (Slack's `channel_not_found`).
    func deliver(url: Secret, headers: HTTPHeaders, body: ByteBuffer, detailLimit: Int, now: Date) async -> DeliveryOutcome {
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

    struct TransportFailure: Error {
        var outcome: DeliveryOutcome
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let parts = duration.components
        self = .nanoseconds(parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000)
    }
}
