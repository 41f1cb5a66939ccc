import Alerting
import AlertingConfig
import Crypto
import Foundation

/// Twilio's `X-Twilio-Signature`: Base64 HMAC-SHA1, keyed with the account's auth token, of
/// the full URL Twilio requested followed by every POST parameter as `name` + `value`, names
/// sorted (each name's values sorted, duplicates dropped). Twilio is not consistent about the
/// default port, so the URL is also tried with it added or removed, as Twilio's own SDKs do.
public struct TwilioSignature: Sendable {
    /// Every account whose token may have signed (the Twilio channels' accounts).
    let tokens: [Secret]

    public init(authTokens: [Secret]) {
        self.tokens = authTokens
    }

    public static func sign(url: String, parameters: [(String, String)], token: Secret) -> String {
        var text = url
        let names = Set(parameters.map(\.0)).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        for name in names {
            let values = Set(parameters.filter { $0.0 == name }.map(\.1)).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            for value in values { text += name + value }
        }
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Array(text.utf8), using: SymmetricKey(data: Array(token.exposedValue.utf8)))
        return Data(mac).base64EncodedString()
    }

    /// True when `signature` is right for the URL (with or without its default port) and
    /// parameters under any of the tokens.
    public func isValid(signature: String?, url: String, parameters: [(String, String)]) -> Bool {
        guard let signature, !signature.isEmpty else { return false }
        let urls = Self.portVariants(of: url)
        var valid = false
        for token in tokens {
            for candidate in urls where constantTimeEqual(Self.sign(url: candidate, parameters: parameters, token: token), signature) {
                valid = true
            }
        }
        return valid
    }

    /// The URL as given, and with the scheme's default port added (or removed).
    static func portVariants(of url: String) -> [String] {
        guard var components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else { return [url] }
        let defaultPort = scheme == "https" ? 443 : scheme == "http" ? 80 : nil
        guard let defaultPort else { return [url] }
        if components.port == nil {
            components.port = defaultPort
        } else if components.port == defaultPort {
            components.port = nil
        } else {
            return [url]
        }
        return [url, components.string ?? url]
    }
}
