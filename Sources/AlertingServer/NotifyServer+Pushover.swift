import Alerting
import Foundation
import Hummingbird

/// Pushover's acknowledgement callback: the person acknowledged an emergency page in the app.
///
/// Pushover signs nothing and retries every minute until it gets a 2xx. The URL holds the
/// signed single-use token notify put in it; the form says who acknowledged (`acknowledged_by`,
/// a user key). A used token (Pushover trying again after all) is a 200 that changes nothing;
/// a forged, expired or malformed one is a 403.
extension NotifyServer {
    func pushoverCallback(_ request: Request, tokenText: String) async throws -> Response {
        guard let signer = config.actionSecret.map({ ActionSigner(secret: $0) }) else {
            return .json(.notFound, ["status": "not found", "message": "server.action_secret is not configured"])
        }
        let token: ActionToken
        switch signer.verify(tokenText, now: notifier.clock.now()) {
        case .failure(let failure):
            logger.warning("Pushover callback refused", metadata: ["reason": "\(failure)"])
            return .json(.forbidden, ["status": "forbidden", "message": failure.description])
        case .success(let verified):
            token = verified
        }
        let form = HTTPForm.decode(String(decoding: try await body(of: request), as: UTF8.self))
        let userKey = form.last(where: { $0.0 == "acknowledged_by" })?.1 ?? ""
        let actor = notifier.contacts.values.first(where: { !userKey.isEmpty && $0.address(for: .pushover) == userKey })?.name ?? "a Pushover user"
        do {
            _ = try await notifier.act(with: token, by: actor, via: "Pushover")
            wake.signal()
            return .json(.ok, ["status": "ok", "message": "alert #\(token.alertID) acknowledged"])
        } catch let error as ActionTokenError {
            return .json(.ok, ["status": "ok", "message": "nothing done: \(error)"])
        } catch let error as Notifier.ActionError {
            return .json(.ok, ["status": "ok", "message": "nothing done: \(error)"])
        }
    }
}
