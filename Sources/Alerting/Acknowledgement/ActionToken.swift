import Crypto
import Foundation

/// What an acknowledgement button or link carries: one alert, one action, a time it stops
/// working, and a nonce that makes it single-use, signed with `server.action_secret`.
///
/// Written `1.ALERT.a|r.EXPIRES.NONCE.MAC` (version, alert id, acknowledge or resolve, Unix
/// seconds, 11 base64url characters, a 128-bit HMAC-SHA256 in 22): at most 64 bytes, so it fits
/// a Telegram button's `callback_data` too. Nothing in it is secret; without the key nobody can
/// make one, or change the alert or the action of one they saw.
public struct ActionToken: Sendable, Hashable {
    public var alertID: Int64
    /// `.acknowledge` or `.resolve`.
    public var action: EventAction
    public var expires: Date
    /// Recorded with the action it was used for: a token already used changes nothing.
    public var nonce: String

    public init(alertID: Int64, action: EventAction, expires: Date, nonce: String = ActionToken.randomNonce()) {
        self.alertID = alertID
        self.action = action
        self.expires = expires
        self.nonce = nonce
    }

    /// 8 random bytes, base64url.
    public static func randomNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return ActionSigner.base64URL((0..<8).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// How the timeline records the token an action came with, and how a used one is found.
    public var timelineMark: String { "token \(nonce)" }

    /// A note without the mark of the token it came with (`by Mattermost, token Q1c…` → `by
    /// Mattermost`), for messages people read.
    public static func withoutMark(_ note: String) -> String {
        guard let range = note.range(of: ", token ", options: .backwards) else { return note }
        let nonce = note[range.upperBound...]
        return nonce.count == 11 && !nonce.contains(" ") ? String(note[..<range.lowerBound]) : note
    }
}

/// Why a token changes nothing. Said to the person who pressed (never which part of the MAC
/// was wrong), and logged.
public enum ActionTokenError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed
    case forged
    case expired
    case used

    public var description: String {
        switch self {
        case .malformed: "not a notify action token"
        case .forged: "the token's signature is wrong"
        case .expired: "the token has expired"
        case .used: "the token was already used"
        }
    }
}

/// Makes and checks ``ActionToken``s with one secret. Every instance of a deployment needs the
/// same secret, so that a button made by one is honoured by the others.
public struct ActionSigner: Sendable {
    private let key: SymmetricKey
    /// How long a token works: an acknowledgement is worth making for as long as a page is.
    public let lifetime: Duration

    public init(secret: Secret, lifetime: Duration = .seconds(7 * 24 * 3600)) {
        self.key = SymmetricKey(data: Array(("notify action token v1:" + secret.exposedValue).utf8))
        self.lifetime = lifetime
    }

    /// A token for `action` on `alertID`, working until `now` + ``lifetime``.
    public func token(alertID: Int64, action: EventAction, now: Date) -> String {
        sign(ActionToken(alertID: alertID, action: action, expires: now.addingTimeInterval(TimeInterval(lifetime.components.seconds))))
    }

    public func sign(_ token: ActionToken) -> String {
        let body = "1.\(token.alertID).\(token.action == .resolve ? "r" : "a").\(Int64(token.expires.timeIntervalSince1970)).\(token.nonce)"
        return body + "." + mac(body)
    }

    /// The token in `text`, when its signature is right and it has not expired. Whether it was
    /// used is for the engine to say (``Notifier/act(with:by:via:)``).
    public func verify(_ text: String, now: Date) -> Result<ActionToken, ActionTokenError> {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "1", let alertID = Int64(parts[1]), parts[2] == "a" || parts[2] == "r",
              let expires = Int64(parts[3]), parts[4].count == 11 else { return .failure(.malformed) }
        let body = parts[0..<5].joined(separator: ".")
        // Constant time: compare the MACs' bytes, not their text.
        guard let given = Self.bytes(base64URL: String(parts[5])), given.count == 16 else { return .failure(.malformed) }
        let expected = Array(HMAC<SHA256>.authenticationCode(for: Array(body.utf8), using: key).prefix(16))
        guard constantTimeEqual(given, expected) else { return .failure(.forged) }
        let token = ActionToken(alertID: alertID, action: parts[2] == "r" ? .resolve : .acknowledge, expires: Date(timeIntervalSince1970: TimeInterval(expires)),
                                nonce: String(parts[4]))
        guard now < token.expires else { return .failure(.expired) }
        return .success(token)
    }

    private func mac(_ body: String) -> String {
        Self.base64URL(Array(HMAC<SHA256>.authenticationCode(for: Array(body.utf8), using: key).prefix(16)))
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func bytes(base64URL text: String) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map(Array.init)
    }
}
