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
        let form = HTTPForm.decode(String(decoding: try await body(of: request), as: UTF8.self))
        let userKey = form.last(where: { $0.0 == "acknowledged_by" })?.1 ?? ""
        let actor = notifier.contacts.values.first(where: { !userKey.isEmpty && $0.address(for: .pushover) == userKey })?.name ?? "a Pushover user"
        return callbackAnswer(try await press(tokenText, by: actor, via: "Pushover"))
    }
}
