import Alerting
/// Reading `server:` (for `notify serve`).
extension ConfigLoader {
    func readServer(_ node: ConfigNode) throws -> ServerConfig {
        try node.checkKeys(allowed: ["listen", "public_url", "token", "auth", "max_body_bytes", "idle_timeout", "max_connections", "integrations", "slack", "twilio", "alertmanager", "action_secret", "telegram", "console"])
        var server = ServerConfig()
        if let listenNode = try node.optional("listen") {
            guard let (host, port) = ServerConfig.parseListen(try listenNode.string()) else { throw listenNode.error("expected HOST:PORT, such as 127.0.0.1:8080") }
            server.host = host
            server.port = port
        }
        if let urlNode = try node.optional("public_url") {
            let url = try urlNode.url()
            server.publicURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        }
        server.token = try node.optional("token").map { Secret(try $0.nonEmptyString()) }
        if let authNode = try node.optional("auth") {
            switch try authNode.string() {
            case "token": server.authDisabled = false
            case "none": server.authDisabled = true
            default: throw authNode.error("expected token or none")
            }
        }
        if let value = try node.optional("max_body_bytes") { server.maxBodyBytes = try value.int(in: 1024...(64 << 20)) }
        if let value = try node.optional("idle_timeout") { server.idleTimeout = try positive(value) }
        if let value = try node.optional("max_connections") { server.maxConnections = try value.int(in: 1...1_000_000) }
        if let integrationsNode = try node.optional("integrations") {
            for (name, entry) in try integrationsNode.mappingEntries() {
                try entry.checkKeys(allowed: ["key", "environment"])
                let key = Secret(try entry.required("key").nonEmptyString())
                if server.integrations.contains(where: { $0.key == key }) { throw entry.error("another integration has the same key") }
                server.integrations.append(.init(name: name, key: key, environment: try entry.optional("environment")?.nonEmptyString()))
            }
        }
        if let secret = try node.optional("action_secret") {
            let text = try secret.nonEmptyString()
            guard text.utf8.count >= 16 else { throw secret.error("must be at least 16 characters (a random string: openssl rand -hex 32)") }
            server.actionSecret = Secret(text)
        }
        if let telegram = try node.optional("telegram") {
            try telegram.checkKeys(allowed: ["secret_token"])
            let secretNode = try telegram.required("secret_token")
            let secret = try secretNode.nonEmptyString()
            // Telegram's own rule for secret_token: 1 to 256 of A-Z a-z 0-9 _ -.
            guard secret.utf8.count <= 256, secret.utf8.allSatisfy({ ASCII.isLetter($0) || ASCII.isDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }) else {
                throw secretNode.error("must be 1 to 256 letters, digits, _ or - (Telegram's rule)")
            }
            server.telegramSecretToken = Secret(secret)
        }
        if let slack = try node.optional("slack") {
            try slack.checkKeys(allowed: ["signing_secret"])
            server.slackSigningSecret = Secret(try slack.required("signing_secret").nonEmptyString())
        }
        if let twilio = try node.optional("twilio") {
            try twilio.checkKeys(allowed: ["auth_token"])
            server.twilioAuthTokens = [Secret(try twilio.required("auth_token").nonEmptyString())]
        }
        if let consoleNode = try node.optional("console") { server.console = try readConsole(consoleNode) }
        if let mappingNode = try node.optional("alertmanager") {
            try mappingNode.checkKeys(allowed: ["kind", "severity", "severity_map", "environment", "source", "summary"])
            var mapping = AlertmanagerMapping()
            if let value = try mappingNode.optional("kind") { mapping.kind = try value.stringList() }
            if let value = try mappingNode.optional("severity") { mapping.severity = try value.stringList() }
            if let value = try mappingNode.optional("environment") { mapping.environment = try value.stringList() }
            if let value = try mappingNode.optional("source") { mapping.source = try value.stringList() }
            if let value = try mappingNode.optional("summary") { mapping.summary = try value.stringList() }
            if let mapNode = try mappingNode.optional("severity_map") {
                for (label, severityNode) in try mapNode.mappingEntries() {
                    let text = try severityNode.string()
                    guard let severity = Severity(rawValue: text.lowercased()) else { throw severityNode.error("\(quoted(text)) is not one of \(Severity.allowedValues)") }
                    mapping.severityMap[label] = severity
                }
            }
            server.alertmanager = mapping
        }
        if server.token == nil, !server.authDisabled, server.integrations.isEmpty {
            throw node.error("set token (a bearer token senders must present), integrations, or auth: none (loopback only)")
        }
        if server.authDisabled, !server.isLoopback {
            throw node.error("auth: none is only allowed when listening on a loopback address, not \(server.host)")
        }
        return server
    }

    func readConsole(_ node: ConfigNode) throws -> WebConsoleSettings {
        try node.checkKeys(allowed: ["session_ttl", "trusted_header", "trusted_proxies", "feed_secret", "login_attempts"])
        var console = WebConsoleSettings()
        if let value = try node.optional("session_ttl") { console.sessionLifetime = try positive(value) }
        if let value = try node.optional("trusted_header") {
            let name = try value.nonEmptyString()
            guard name.utf8.allSatisfy({ ASCII.isLetter($0) || ASCII.isDigit($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }) else {
                throw value.error("expected a header name such as X-Forwarded-Email")
            }
            console.trustedHeader = name
        }
        if let value = try node.optional("trusted_proxies") { console.trustedProxies = try value.stringList() }
        if console.trustedHeader != nil, console.trustedProxies.isEmpty {
            throw node.error("trusted_header needs trusted_proxies: the addresses of the proxy that sets it (anyone else could set it too)")
        }
        if let value = try node.optional("feed_secret") {
            let text = try value.nonEmptyString()
            guard text.utf8.count >= 16 else { throw value.error("must be at least 16 characters (a random string: openssl rand -hex 32)") }
            console.feedSecret = Secret(text)
        }
        if let value = try node.optional("login_attempts") { console.loginAttempts = try value.int(in: 1...1000) }
        return console
    }

    /// `password_hash:` in a contact: a bcrypt hash (`$2y$`, `$2b$` or `$2a$`, as `htpasswd -B`
    /// or `notify passwd` makes it), never a password.
    func readPasswordHash(_ node: ConfigNode) throws -> Secret? {
        guard let value = try node.optional("password_hash") else { return nil }
        let text = try value.nonEmptyString()
        let prefixes = ["$2a$", "$2b$", "$2y$"]
        guard prefixes.contains(where: text.hasPrefix), text.utf8.count == 60 else {
            throw value.error("expected a bcrypt hash (60 characters starting with $2y$ or $2b$), as `htpasswd -nB NAME` or `notify passwd` prints it; never the password itself")
        }
        return Secret(text)
    }
}
