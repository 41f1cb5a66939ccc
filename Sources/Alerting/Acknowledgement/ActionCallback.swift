import Foundation

/// Where a provider sends a press back to `notify serve` (`server.public_url`), and what signs
/// the ``ActionToken`` it carries: what every channel with acknowledgement buttons or links is
/// given, when the server has both a public address and an `action_secret`.
public struct ActionCallback: Sendable {
    public var signer: ActionSigner
    /// `https://notify.example.com`, without a trailing slash.
    public var publicURL: String

    public init(signer: ActionSigner, publicURL: String) {
        self.signer = signer
        self.publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
    }

    /// `{public_url}{path}`: `path` starts with `/`.
    public func url(_ path: String) -> String { publicURL + path }

    /// A token for `action` on `alertID`.
    public func token(alertID: Int64, action: EventAction, now: Date) -> String {
        signer.token(alertID: alertID, action: action, now: now)
    }
}
