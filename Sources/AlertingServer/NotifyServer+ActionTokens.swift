import Alerting
import Foundation
import Hummingbird

/// A press of a button or link that carries an ``ActionToken`` (Mattermost, Telegram, Pushover,
/// ntfy): checked and acted on here, once, and answered by each endpoint as its provider expects.
extension NotifyServer {
    enum TokenPress {
        /// `server.action_secret` is not configured: no token can be checked.
        case unconfigured
        /// Forged, expired or not a token: nothing was done.
        case refused(ActionTokenError)
        /// Recorded. `alreadyAcknowledged`: the alert was, so nothing changed.
        case acted(ActionToken, alreadyAcknowledged: Bool)
        /// A valid token that did nothing: already used, or the alert is resolved or gone.
        case nothingDone(ActionToken, reason: String)

        /// What the person who pressed is told: `Alert #12 acknowledged by alice`.
        func said(by who: String) -> String {
            switch self {
            case .unconfigured: "notify did not act: server.action_secret is not configured"
            case .refused(let error): "notify did not act: \(error)."
            case .nothingDone(_, let reason): "notify did not act: \(reason)."
            case .acted(let token, true): "Alert #\(token.alertID) was already acknowledged."
            case .acted(let token, false): "Alert #\(token.alertID) \(token.action == .resolve ? "resolved" : "acknowledged") by \(who)."
            }
        }
    }

    func press(_ tokenText: String, by actor: String, via medium: String) async throws -> TokenPress {
        guard let secret = config.actionSecret else { return .unconfigured }
        switch ActionSigner(secret: secret).verify(tokenText, now: notifier.clock.now()) {
        case .failure(let failure):
            logger.warning("\(medium) action refused", metadata: ["reason": "\(failure)", "by": "\(actor)"])
            return .refused(failure)
        case .success(let token):
            do {
                let result = try await notifier.act(with: token, by: actor, via: medium)
                wake.signal()
                return .acted(token, alreadyAcknowledged: result.transition.change == .alreadyAcknowledged)
            } catch let error as ActionTokenError {
                logger.warning("\(medium) action refused", metadata: ["reason": "\(error)", "by": "\(actor)", "alert": "\(token.alertID)"])
                return .nothingDone(token, reason: "\(error)")
            } catch let error as Notifier.ActionError {
                return .nothingDone(token, reason: "\(error)")
            }
        }
    }

    /// How a callback that a phone or a provider retries (Pushover, ntfy) is answered: 200 once
    /// acted on and for a token that did nothing (so the caller stops trying), 403 for one that
    /// is no token of notify's, 404 without `server.action_secret`.
    func callbackAnswer(_ press: TokenPress) -> Response {
        switch press {
        case .unconfigured: .json(.notFound, ["status": "not found", "message": "server.action_secret is not configured"])
        case .refused(let error): .json(.forbidden, ["status": "forbidden", "message": error.description])
        case .acted(let token, _): .json(.ok, ["status": "ok", "message": "alert #\(token.alertID) acknowledged"])
        case .nothingDone(_, let reason): .json(.ok, ["status": "ok", "message": "nothing done: \(reason)"])
        }
    }
}
