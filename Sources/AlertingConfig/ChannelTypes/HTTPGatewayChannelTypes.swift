import Alerting

/// `type: http_sms` and `type: http_voice`: any SMS or voice provider described in the config
/// (``HTTPGatewaySpec``).
public struct HTTPGatewaySettings: ChannelSettings, Hashable {
    public var medium: ContactMedium
    public var spec: HTTPGatewaySpec
    public var maxSegments: Int

    public init(medium: ContactMedium, spec: HTTPGatewaySpec, maxSegments: Int = 1) {
        self.medium = medium
        self.spec = spec
        self.maxSegments = maxSegments
    }

    public var summary: [String] { ["\(spec.method) \(medium.rawValue) gateway"] }

    public func makeChannel(_ context: ChannelContext) throws -> any Alerting.Channel {
        do {
            return try HTTPGatewayChannel(name: context.name, medium: medium, spec: spec, maxSegments: maxSegments, client: context.client,
                                          timeout: context.timeout, clock: context.clock)
        } catch {
            throw ConfigError(path: "channels.\(context.name)", "\(error)")
        }
    }

    public static let smsType = type("http_sms", medium: .sms)
    public static let voiceType = type("http_voice", medium: .voice)

    private static func type(_ name: String, medium: ContactMedium) -> ChannelType {
        ChannelType(name, capabilities: .person(medium), keys: ["max_segments", "method", "url", "headers", "query", "body", "auth", "success", "id_field", "error_field"]) { node in
            HTTPGatewaySettings(medium: medium, spec: try node.gatewaySpec(), maxSegments: try node.optional("max_segments")?.int(in: 1...10) ?? 1)
        }
    }
}

extension ConfigNode {
    private func gatewayFields() throws -> [HTTPGatewaySpec.Field] {
        try mappingEntries().map { HTTPGatewaySpec.Field($0.key, try $0.value.string()) }
    }

    /// A gateway's request and how to read its answer.
    func gatewaySpec() throws -> HTTPGatewaySpec {
        let method = try optional("method")?.string().uppercased() ?? "POST"
        guard ["GET", "POST", "PUT", "PATCH"].contains(method) else { throw try required("method").error("expected GET, POST, PUT or PATCH") }
        let urlNode = try required("url")
        let url = try urlNode.nonEmptyString()
        guard url.lowercased().hasPrefix("http://") || url.lowercased().hasPrefix("https://") else { throw urlNode.error("not an http(s) URL") }
        var spec = HTTPGatewaySpec(method: method, url: url)
        if let headers = try optional("headers") {
            spec.headers = try headers.gatewayFields()
            for (field, value) in zip(spec.headers, try headers.mappingEntries()) where !ConfigLoader.isHeaderName(field.name) {
                throw value.value.error("not a valid HTTP header name")
            }
        }
        if let query = try optional("query") { spec.query = try query.gatewayFields() }
        if let body = try optional("body") {
            try body.checkKeys(allowed: ["form", "json"])
            switch (try body.optional("form"), try body.optional("json")) {
            case (let form?, nil): spec.body = .form(try form.gatewayFields())
            case (nil, let json?): spec.body = .json(try json.nonEmptyString())
            default: throw body.error("give exactly one of form, json")
            }
        }
        if let auth = try optional("auth") {
            try auth.checkKeys(allowed: ["basic", "header"])
            if let basic = try auth.optional("basic") {
                try basic.checkKeys(allowed: ["username", "password"])
                spec.auth = .basic(username: Secret(try basic.required("username").string()), password: Secret(try basic.required("password").string()))
            } else if let header = try auth.optional("header") {
                try header.checkKeys(allowed: ["name", "value"])
                let name = try header.required("name").nonEmptyString()
                guard ConfigLoader.isHeaderName(name) else { throw try header.required("name").error("not a valid HTTP header name") }
                spec.auth = .header(name: name, value: Secret(try header.required("value").string()))
            }
        }
        if let success = try optional("success") {
            try success.checkKeys(allowed: ["status", "json_field", "equals", "retry_values"])
            var rule = HTTPGatewaySpec.SuccessRule()
            if let statuses = try success.optional("status") {
                rule.statuses = Set(try statuses.stringList().map { text -> UInt in
                    guard let code = UInt(text), (100...599).contains(code) else { throw statuses.error("\(quoted(text)) is not an HTTP status code") }
                    return code
                })
            }
            rule.jsonField = try success.optional("json_field")?.nonEmptyString()
            rule.equals = try success.optional("equals")?.string()
            if (rule.jsonField == nil) != (rule.equals == nil) { throw success.error("json_field and equals go together") }
            rule.retryValues = Set(try success.optional("retry_values")?.stringList() ?? [])
            spec.success = rule
        }
        spec.idField = try optional("id_field")?.nonEmptyString()
        spec.errorField = try optional("error_field")?.nonEmptyString()
        return spec
    }
}
