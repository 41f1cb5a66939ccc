import Alerting

/// `type: email`: SMTP to each person's `email:` address.
public struct EmailSettings: ChannelSettings, Hashable {
    public var server: SMTPClient.Server
    public var from: String

    public init(server: SMTPClient.Server, from: String) {
        self.server = server
        self.from = from
    }

    public var summary: [String] {
        ["\(server.host):\(server.port) \(server.security.rawValue)", "from \(from)"] + (server.username.map { ["as \($0), password set"] } ?? [])
    }

    public func makeChannel(_ context: ChannelContext) throws -> any Alerting.Channel {
        EmailChannel(name: context.name, client: SMTPClient(server: server, timeout: context.timeout), from: from, clock: context.clock)
    }

    public static let type = ChannelType("email", capabilities: .person(.email), keys: ["host", "port", "security", "username", "password", "from", "ca_file"]) { node in
        let host = try node.required("host").nonEmptyString()
        var security = SMTPClient.Security.startTLS
        if let securityNode = try node.optional("security") {
            let text = try securityNode.nonEmptyString()
            guard let value = SMTPClient.Security(rawValue: text) else {
                throw securityNode.error("expected one of: " + SMTPClient.Security.allCases.map(\.rawValue).joined(separator: ", "))
            }
            // Credentials and pages in clear text cross no network: only a relay on this host.
            if value == .none, !ServerConfig.isLoopback(host) { throw securityNode.error("none is only allowed for a relay on a loopback address, not \(host)") }
            security = value
        }
        let defaultPort = switch security {
        case .startTLS: 587
        case .tls: 465
        case .none: 25
        }
        let username = try node.optional("username")?.nonEmptyString()
        let password = try node.optional("password").map { Secret(try $0.nonEmptyString()) }
        if (username == nil) != (password == nil) { throw node.error("give username and password together") }
        let fromNode = try node.required("from")
        let from = try fromNode.nonEmptyString()
        guard EmailChannel.address(from).contains("@"), !from.contains("\r"), !from.contains("\n") else { throw fromNode.error("\(quoted(from)) is not an email address") }
        let server = SMTPClient.Server(host: host, port: try node.optional("port")?.int(in: 1...65535) ?? defaultPort, security: security,
                                       username: username, password: password, caFile: try node.optional("ca_file")?.nonEmptyString())
        return EmailSettings(server: server, from: from)
    }
}
