import Alerting
/// Reading `channels:`: one reader per channel type, each rejecting keys it does not know.
extension ConfigLoader {
    func readChannel(name: String, _ node: ConfigNode) throws -> ChannelConfig {
        guard !name.isEmpty else { throw node.error("a channel needs a name") }
        let typeNode = try node.required("type")
        let type = try typeNode.string()
        let timeout = try node.optional("timeout").map(positive)
        let common = ["type", "timeout"]
        let person = common + ["throttle", "max_segments"]
        let settings: ChannelConfig.Settings
        switch type {
        case "slack":
            try node.checkKeys(allowed: common + ["webhook_url", "url"])
            let urlNode = try node.optional("url") ?? node.required("webhook_url")
            settings = .slack(webhookURL: Secret(try urlNode.url()))
        case "slack_bot":
            try node.checkKeys(allowed: common + ["token", "channel", "base_url"])
            settings = .slackBot(token: Secret(try node.required("token").nonEmptyString()), channel: try node.required("channel").nonEmptyString(),
                                 baseURL: try node.optional("base_url")?.url() ?? "https://slack.com/api")
        case "webhook":
            try node.checkKeys(allowed: common + ["url", "webhook_url", "headers"])
            let urlNode = try node.optional("url") ?? node.required("webhook_url")
            settings = .webhook(url: Secret(try urlNode.url()), headers: try readHeaders(node.optional("headers")))
        case "console":
            try node.checkKeys(allowed: common)
            settings = .console
        case "twilio_sms":
            try node.checkKeys(allowed: person + ["account_sid", "auth_token", "base_url", "from", "messaging_service_sid", "status_callback"])
            let sender: TwilioSMSChannel.Sender
            switch (try node.optional("from"), try node.optional("messaging_service_sid")) {
            case (let from?, nil): sender = .from(try from.nonEmptyString())
            case (nil, let service?): sender = .messagingService(try service.nonEmptyString())
            case (_?, _?): throw node.error("give from or messaging_service_sid, not both")
            case (nil, nil): throw ConfigError(file: node.context.file, path: node.path + ".from", line: node.node.mark.map { $0.line }, "missing (or give messaging_service_sid)")
            }
            settings = .twilioSMS(
                account: try readTwilioAccount(node), sender: sender,
                statusCallback: try node.optional("status_callback")?.url(),
                maxSegments: try node.optional("max_segments")?.int(in: 1...10) ?? 1)
        case "twilio_voice":
            try node.checkKeys(allowed: person.filter { $0 != "max_segments" } + ["account_sid", "auth_token", "base_url", "from", "callback_url", "ring_timeout", "machine_detection"])
            var machineDetection: String?
            if let detection = try node.optional("machine_detection") {
                let value = try detection.string()
                guard ["Enable", "DetectMessageEnd"].contains(value) else { throw detection.error("\(quoted(value)) is not one of Enable, DetectMessageEnd") }
                machineDetection = value
            }
            var ringTimeout = Duration.seconds(30)
            if let ring = try node.optional("ring_timeout") {
                ringTimeout = try ring.duration()
                guard ringTimeout >= .seconds(5), ringTimeout <= .seconds(600) else { throw ring.error("must be from 5s to 10m (Twilio's limits)") }
            }
            settings = .twilioVoice(
                account: try readTwilioAccount(node), from: try node.required("from").nonEmptyString(),
                callbackURL: try node.optional("callback_url")?.url(), ringTimeout: ringTimeout, machineDetection: machineDetection)
        case "http_sms", "http_voice":
            let medium: ContactMedium = type == "http_sms" ? .sms : .voice
            try node.checkKeys(allowed: person + ["method", "url", "headers", "query", "body", "auth", "success", "id_field", "error_field"])
            settings = .httpGateway(
                medium: medium, spec: try readGatewaySpec(node),
                maxSegments: try node.optional("max_segments")?.int(in: 1...10) ?? 1)
        default:
            throw typeNode.error("\(quoted(type)) is not one of \(ChannelConfig.types.joined(separator: ", "))")
        }
        let throttle = try node.optional("throttle").map(readThrottle)
        return ChannelConfig(name: name, settings: settings, timeout: timeout, throttle: throttle)
    }

    func readThrottle(_ node: ConfigNode) throws -> ThrottleRule {
        try node.checkKeys(allowed: ["limit", "window"])
        return ThrottleRule(limit: try node.required("limit").int(in: 1...10_000), window: try positive(node.required("window")))
    }

    private func readTwilioAccount(_ node: ConfigNode) throws -> TwilioAccount {
        TwilioAccount(
            accountSID: try node.required("account_sid").nonEmptyString(),
            authToken: Secret(try node.required("auth_token").nonEmptyString()),
            baseURL: try node.optional("base_url")?.url() ?? TwilioAccount.defaultBaseURL)
    }

    private func readHeaders(_ node: ConfigNode?) throws -> [String: Secret] {
        var headers: [String: Secret] = [:]
        guard let node else { return headers }
        for (header, value) in try node.mappingEntries() {
            guard Self.isHeaderName(header) else { throw value.error("not a valid HTTP header name") }
            let text = try value.string()
            guard !text.contains(where: { $0 == "\r" || $0 == "\n" }) else { throw value.error("header values must be one line") }
            headers[header] = Secret(text)
        }
        return headers
    }

    private func readFields(_ node: ConfigNode) throws -> [HTTPGatewaySpec.Field] {
        try node.mappingEntries().map { HTTPGatewaySpec.Field($0.key, try $0.value.string()) }
    }

    private func readGatewaySpec(_ node: ConfigNode) throws -> HTTPGatewaySpec {
        let method = try node.optional("method")?.string().uppercased() ?? "POST"
        guard ["GET", "POST", "PUT", "PATCH"].contains(method) else { throw try node.required("method").error("expected GET, POST, PUT or PATCH") }
        let urlNode = try node.required("url")
        let url = try urlNode.nonEmptyString()
        guard url.lowercased().hasPrefix("http://") || url.lowercased().hasPrefix("https://") else { throw urlNode.error("not an http(s) URL") }
        var spec = HTTPGatewaySpec(method: method, url: url)
        if let headers = try node.optional("headers") {
            spec.headers = try readFields(headers)
            for (field, value) in zip(spec.headers, try headers.mappingEntries()) where !Self.isHeaderName(field.name) {
                throw value.value.error("not a valid HTTP header name")
            }
        }
        if let query = try node.optional("query") { spec.query = try readFields(query) }
        if let body = try node.optional("body") {
            try body.checkKeys(allowed: ["form", "json"])
            switch (try body.optional("form"), try body.optional("json")) {
            case (let form?, nil): spec.body = .form(try readFields(form))
            case (nil, let json?): spec.body = .json(try json.nonEmptyString())
            default: throw body.error("give exactly one of form, json")
            }
        }
        if let auth = try node.optional("auth") {
            try auth.checkKeys(allowed: ["basic", "header"])
            if let basic = try auth.optional("basic") {
                try basic.checkKeys(allowed: ["username", "password"])
                spec.auth = .basic(username: Secret(try basic.required("username").string()), password: Secret(try basic.required("password").string()))
            } else if let header = try auth.optional("header") {
                try header.checkKeys(allowed: ["name", "value"])
                let name = try header.required("name").nonEmptyString()
                guard Self.isHeaderName(name) else { throw try header.required("name").error("not a valid HTTP header name") }
                spec.auth = .header(name: name, value: Secret(try header.required("value").string()))
            }
        }
        if let success = try node.optional("success") {
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
        spec.idField = try node.optional("id_field")?.nonEmptyString()
        spec.errorField = try node.optional("error_field")?.nonEmptyString()
        return spec
    }
}
