import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// The rules most HTTP providers share for what an answer means, and how transport errors are
/// told apart, without ever repeating the URL.
public enum HTTPResponseClassifier {
    /// 2xx delivered; 408, 425, 429 and 5xx retryable (429 with its `Retry-After`); any other
    /// status permanent. `detail` is the provider's own short reason, when it gave one.
    public static func classify(status: UInt, retryAfter: String?, detail: String?, now: Date) -> DeliveryOutcome {
        let reason = "HTTP \(status)" + (detail.map { " \($0)" } ?? "")
        switch status {
        case 200..<300:
            return .delivered(providerID: nil)
        case 408, 425, 429, 500..<600:
            return .retryable(reason: reason, retryAfter: retryAfter.flatMap { parseRetryAfter($0, now: now) })
        default:
            return .permanent(reason: reason)
        }
    }

    /// `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 §10.2.3).
    public static func parseRetryAfter(_ value: String, now: Date) -> Duration? {
        let trimmed = ASCII.trimmed(value)
        if let seconds = Int(trimmed), seconds >= 0 { return .seconds(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return .seconds(max(0, Int(date.timeIntervalSince(now).rounded(.up))))
    }

    /// A short, printable excerpt of a provider's plain-text answer (Slack's `channel_not_found`).
    public static func excerpt(_ body: ByteBuffer?, limit: Int = 200) -> String? {
        guard let body, body.readableBytes > 0 else { return nil }
        let text = ASCII.trimmed(String(buffer: body))
        let printable = String(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.prefix(limit))
        return printable.isEmpty ? nil : printable
    }

    /// A transport failure in words that never contain the URL. Every one is retryable: the
    /// request may not have reached the provider.
    public static func transportFailure(_ error: Error, timeout: Duration) -> DeliveryOutcome {
        let reason: String
        switch error {
        case let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout:
            reason = "no answer within \(DurationParser.brief(timeout))"
        case let error as HTTPClientError where error == .connectTimeout:
            reason = "connect timed out"
        case let error as HTTPClientError where error == .remoteConnectionClosed:
            reason = "connection closed by the server before an answer"
        case let error as HTTPClientError where error == .tlsHandshakeTimeout:
            reason = "TLS handshake timed out"
        case is HTTPClientError:
            // Not its description: some carry header values, which may be secrets.
            reason = "HTTP client error"
        case let error as IOError:
            reason = networkReason(errno: error.errnoCode)
        case let error as NIOConnectionError:
            let underlying = error.connectionErrors.compactMap { $0.error as? IOError }.first
            reason = underlying.map { networkReason(errno: $0.errnoCode) } ?? (error.dnsAError != nil || error.dnsAAAAError != nil ? "host name not found" : "could not connect")
        case is ChannelError:
            reason = "connection failed"
        default:
            reason = "network error"
        }
        return .retryable(reason: reason, retryAfter: nil)
    }

    /// The category of a reason this classifier wrote (see ``DeliveryOutcome/failureCategory``).
    public static func category(of reason: String) -> FailureCategory {
        if reason.hasPrefix("HTTP "), let status = UInt(reason.dropFirst(5).prefix(while: \.isNumber)) {
            switch status {
            case 429: return .rateLimited
            case 408, 425, 500..<600: return .serverError
            case 400..<500: return .rejected
            default: return .other
            }
        }
        if reason.hasPrefix("no answer within") || reason.hasSuffix("timed out") { return .timeout }
        let network = ["connection refused", "connection reset", "host unreachable", "network unreachable", "connection closed", "host name not found",
                       "could not connect", "connection failed", "network error", "HTTP client error"]
        if network.contains(where: { reason.hasPrefix($0) }) { return .network }
        return .other
    }

    /// What a person reads for a socket error: its name, not its number.
    public static func networkReason(errno code: CInt) -> String {
        switch code {
        case ECONNREFUSED: "connection refused"
        case ECONNRESET: "connection reset"
        case EHOSTUNREACH: "host unreachable"
        case ENETUNREACH: "network unreachable"
        case ETIMEDOUT: "connection timed out"
        case EPIPE: "connection closed while sending"
        default: "network error: " + String(cString: strerror(code)).lowercased()
        }
    }
}
