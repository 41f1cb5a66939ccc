import Foundation
import NIOCore
import NIOHTTP1

/// Where and as whom to call Twilio's REST API (2010-04-01).
public struct TwilioAccount: Sendable, Hashable {
    public var accountSID: String
    /// The auth token (or an API key secret): a secret.
    public var authToken: Secret
    /// Twilio's API host by default; configurable for tests, regional edges and compatible providers.
    public var baseURL: String

    public static let defaultBaseURL = "https://api.twilio.com"

    public init(accountSID: String, authToken: Secret, baseURL: String = TwilioAccount.defaultBaseURL) {
        self.accountSID = accountSID
        self.authToken = authToken
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
    }

    /// `{base}/2010-04-01/Accounts/{sid}/{resource}.json`
    func url(_ resource: String) -> String {
        "\(baseURL)/2010-04-01/Accounts/\(HTTPForm.escape(accountSID))/\(resource).json"
    }

    /// Creates a resource (`Messages`, `Calls`) and says what Twilio's answer means.
    func create(_ resource: String, fields: [(String, String)], poster: HTTPPoster, now: @Sendable () -> Date) async -> DeliveryOutcome {
        switch await poster.post(url: url(resource), headers: headers(), body: ByteBuffer(string: HTTPForm.encode(fields))) {
        case .failure(let failure):
            return failure.outcome
        case .success(let answer):
            return TwilioResponse.outcome(status: answer.status, body: answer.body, retryAfter: answer.headers.first(name: "Retry-After"), now: now())
        }
    }

    func headers() -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "Authorization", value: HTTPForm.basicAuthorization(user: accountSID, password: authToken.exposedValue))
        headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        headers.add(name: "Accept", value: "application/json")
        headers.add(name: "User-Agent", value: NotifyVersion.userAgent)
        return headers
    }
}
