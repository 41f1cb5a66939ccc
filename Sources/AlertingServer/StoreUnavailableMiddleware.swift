import Alerting
import AlertingConfig
import Hummingbird
import Logging

/// A request that failed for a reason other than its own content failed because the state
/// store did not answer (the database restarting or failing over): it is answered 503 with
/// `Retry-After`, so Alertmanager and other senders send it again, rather than 500. Nothing
/// was acknowledged that was not recorded: a handler answers 2xx only after its transaction
/// committed.
struct StoreUnavailableMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            logger.error("state store unavailable; answered 503", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return .json(.serviceUnavailable, ["status": "unavailable", "reason": "state store: \(error)"], headers: [.retryAfter: "5"])
        }
    }
}
