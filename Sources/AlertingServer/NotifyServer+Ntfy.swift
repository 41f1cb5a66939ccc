import Alerting
import Foundation
import HTTPTypes
import Hummingbird

/// ntfy's Acknowledge button: an `http` action the subscriber's app (not the ntfy server)
/// posts, at a URL holding a signed single-use token. The web app posts with `fetch`, so every
/// answer allows any origin; the notification is cleared only on a 2xx. A used token is a 200
/// that changes nothing (a second tap); a forged or expired one is a 403.
extension NotifyServer {
    func ntfyAction(_ request: Request, tokenText: String) async throws -> Response {
        let response: Response
        switch config.actionSecret.map({ ActionSigner(secret: $0) })?.verify(tokenText, now: notifier.clock.now()) {
        case nil:
            response = .json(.notFound, ["status": "not found", "message": "server.action_secret is not configured"])
        case .failure(let failure)?:
            logger.warning("ntfy action refused", metadata: ["reason": "\(failure)"])
            response = .json(.forbidden, ["status": "forbidden", "message": failure.description])
        case .success(let token)?:
            do {
                _ = try await notifier.act(with: token, by: "ntfy", via: "ntfy")
                wake.signal()
                response = .json(.ok, ["status": "ok", "message": "alert #\(token.alertID) acknowledged"])
            } catch let error as ActionTokenError {
                response = .json(.ok, ["status": "ok", "message": "nothing done: \(error)"])
            } catch let error as Notifier.ActionError {
                response = .json(.ok, ["status": "ok", "message": "nothing done: \(error)"])
            }
        }
        var allowed = response
        allowed.headers[.accessControlAllowOrigin] = "*"
        return allowed
    }

    /// The preflight a browser may send before the web app's `fetch`.
    func ntfyPreflight() -> Response {
        var response = Response(status: .noContent)
        response.headers[.accessControlAllowOrigin] = "*"
        response.headers[.accessControlAllowMethods] = "POST"
        response.headers[.accessControlAllowHeaders] = "Content-Type"
        return response
    }
}
