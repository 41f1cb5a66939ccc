import Alerting
import AlertingConfig
import Crypto
import Foundation

/// Slack's request signing (v0): `v0=` + hex HMAC-SHA256 of `v0:TIMESTAMP:BODY` keyed with the
/// app's signing secret, and a timestamp within five minutes of now (replays are refused).
public struct SlackSignature: Sendable {
    public static let replayWindow: TimeInterval = 300
    let secret: Secret

    public init(signingSecret: Secret) {
        self.secret = signingSecret
    }

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case missing
        case stale
        case mismatch

        public var description: String {
            switch self {
            case .missing: "no X-Slack-Signature or X-Slack-Request-Timestamp"
            case .stale: "X-Slack-Request-Timestamp is more than 5 minutes from now (a replay?)"
            case .mismatch: "X-Slack-Signature does not match the body"
            }
        }
    }

    public func sign(timestamp: String, body: some Collection<UInt8>) -> String {
        var message = Array("v0:\(timestamp):".utf8)
        message.append(contentsOf: body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Array(secret.exposedValue.utf8)))
        return "v0=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    /// Checks a request: the raw body, and the two headers as received.
    public func verify(signature: String?, timestamp: String?, body: some Collection<UInt8>, now: Date) -> Result<Void, Failure> {
        guard let signature, let timestamp, let seconds = Double(timestamp) else { return .failure(.missing) }
        guard abs(now.timeIntervalSince1970 - seconds) <= Self.replayWindow else { return .failure(.stale) }
        return constantTimeEqual(sign(timestamp: timestamp, body: body), signature) ? .success(()) : .failure(.mismatch)
    }
}
