import Foundation
import NIOCore

/// What a Twilio REST answer means for a delivery.
///
/// 201 with a `sid` is delivered. Errors carry `{"code", "message", "status"}`: 429 / 20429 (the
/// request was never processed), 21611 (the sender's queue is full) and 5xx are worth retrying;
/// every other error (21211 invalid To, 21610 unsubscribed, 21608 unverified number on a trial
/// account, 20003 bad credentials...) is permanent and reported with Twilio's code and message.
enum TwilioResponse {
    static let retryableCodes: Set<Int> = [20429, 21611]

    static func outcome(status: UInt, body: ByteBuffer, retryAfter: String?, now: Date) -> DeliveryOutcome {
        let object = (try? JSONParser.parse(body.readableBytesView))?.objectValue ?? [:]
        if (200..<300).contains(status) {
            if case .string(let sid)? = object["sid"] { return .delivered(providerID: sid) }
            return .delivered(providerID: nil)
        }
        var code: Int?
        switch object["code"] {
        case .int(let value)?: code = Int(value)
        case .string(let value)?: code = Int(value)
        default: break
        }
        var reason = "HTTP \(status)"
        if let code {
            reason = "Twilio \(code)"
            if case .string(let message)? = object["message"] { reason += ": \(message)" }
        } else if let excerpt = HTTPResponseClassifier.excerpt(body, limit: 120) {
            reason += " \(excerpt)"
        }
        if status == 429 || status >= 500 || code.map(retryableCodes.contains) == true {
            return .retryable(reason: reason, retryAfter: retryAfter.flatMap { HTTPResponseClassifier.parseRetryAfter($0, now: now) })
        }
        return .permanent(reason: reason)
    }
}
