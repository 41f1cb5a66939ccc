/// An SMS or voice provider described entirely in config: how to build the request from a
/// notification, and how to read the answer.
///
/// Every string but `method` is a Mustache template over the gateway view: `{{to}}` (E.164),
/// `{{to_digits}}` (without the plus), `{{text}}` (fitted to `maxSegments` for SMS),
/// `{{contact.name}}`, `{{alert.id}}` and the rest of what message templates see. Values are
/// escaped for where they go: percent-encoded in the URL, JSON-escaped in a JSON body.
/// The spec may hold secrets (tokens in headers, keys in form fields), so it never prints.
public struct HTTPGatewaySpec: Sendable, Hashable, CustomStringConvertible {
    public enum Body: Sendable, Hashable {
        /// No body (parameters in the URL or `query`).
        case none
        /// `application/x-www-form-urlencoded`, fields in order.
        case form([Field])
        /// A JSON template; the result must be valid JSON.
        case json(String)
    }

    public struct Field: Sendable, Hashable {
        public var name: String
        public var template: String

        public init(_ name: String, _ template: String) {
            self.name = name
            self.template = template
        }
    }

    public enum Auth: Sendable, Hashable {
        case none
        case basic(username: Secret, password: Secret)
        /// A header of your choosing: `Authorization: AccessKey ...`, `X-Api-Key: ...`.
        case header(name: String, value: Secret)
    }

    /// How to tell a delivered message from a failed one.
    public struct SuccessRule: Sendable, Hashable {
        /// Statuses that may mean success (default: any 2xx).
        public var statuses: Set<UInt>
        /// A JSON field of the answer that must equal `equals` (`messages.0.status`), for
        /// providers that answer 200 to failures too (Vonage).
        public var jsonField: String?
        public var equals: String?
        /// Values of `jsonField` that mean "try again later" (Vonage: 1 throttled, 5 internal error).
        public var retryValues: Set<String>

        public init(statuses: Set<UInt> = Set(200..<300), jsonField: String? = nil, equals: String? = nil, retryValues: Set<String> = []) {
            self.statuses = statuses
            self.jsonField = jsonField
            self.equals = equals
            self.retryValues = retryValues
        }
    }

    public var method: String
    public var url: String
    public var headers: [Field]
    public var query: [Field]
    public var body: Body
    public var auth: Auth
    public var success: SuccessRule
    /// The provider's message id in the answer (`sid`, `message_uuid.0`, `id`).
    public var idField: String?
    /// The provider's error text in a failed answer (`messages.0.error-text`).
    public var errorField: String?

    public init(method: String = "POST", url: String, headers: [Field] = [], query: [Field] = [], body: Body = .none, auth: Auth = .none, success: SuccessRule = SuccessRule(), idField: String? = nil, errorField: String? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.query = query
        self.body = body
        self.auth = auth
        self.success = success
        self.idField = idField
        self.errorField = errorField
    }

    public var description: String { "HTTPGatewaySpec(\(method), <redacted>)" }
}
