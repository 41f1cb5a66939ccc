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
        let response = callbackAnswer(try await press(tokenText, by: "ntfy", via: "ntfy"))
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
