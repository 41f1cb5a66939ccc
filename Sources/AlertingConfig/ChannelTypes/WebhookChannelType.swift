import Alerting

/// `type: webhook`: notify's JSON to a URL of yours, with optional headers.
public struct WebhookSettings: ChannelSettings, Hashable {
    public var url: Secret
    public var headers: [String: Secret]

    public init(url: Secret, headers: [String: Secret] = [:]) {
        self.url = url
        self.headers = headers
    }

    public var summary: [String] {
        ["url set"] + (headers.isEmpty ? [] : ["headers: " + headers.keys.sorted().joined(separator: ", ")])
    }

    public func makeChannel(_ context: ChannelContext) throws -> any Alerting.Channel {
        WebhookChannel(name: context.name, url: url, headers: headers, client: context.client, timeout: context.timeout, clock: context.clock)
    }

    public static let type = ChannelType("webhook", keys: ["url", "webhook_url", "headers"]) { node in
        let urlNode = try node.optional("url") ?? node.required("webhook_url")
        return WebhookSettings(url: Secret(try urlNode.url()), headers: try node.optional("headers")?.headers() ?? [:])
    }
}

extension ConfigNode {
    /// A mapping of HTTP header names to values, each value a secret (it may hold a token).
    func headers() throws -> [String: Secret] {
        var headers: [String: Secret] = [:]
        for (header, value) in try mappingEntries() {
            guard ConfigLoader.isHeaderName(header) else { throw value.error("not a valid HTTP header name") }
            let text = try value.string()
            guard !text.contains(where: { $0 == "\r" || $0 == "\n" }) else { throw value.error("header values must be one line") }
            headers[header] = Secret(text)
        }
        return headers
    }
}
