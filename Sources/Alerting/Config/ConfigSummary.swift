/// A printable summary of a config for `notify config check`: names, types, matchers and
/// targets, never a URL, token or header value.
public struct ConfigSummary: Sendable {
    public var config: NotifyConfig
    public var path: String?

    public init(config: NotifyConfig, path: String? = nil) {
        self.config = config
        self.path = path
    }

    public var text: String {
        var lines: [String] = []
        lines.append("config ok" + (path.map { ": \($0)" } ?? ""))
        lines.append("channels (\(config.channels.count)):")
        for name in config.channels.keys.sorted() {
            guard let channel = config.channels[name] else { continue }
            var facts: [String] = []
            switch channel.settings {
            case .slack: facts.append("webhook_url set")
            case .webhook(_, let headers):
                facts.append("url set")
                if !headers.isEmpty { facts.append("headers: " + headers.keys.sorted().joined(separator: ", ")) }
            case .console: break
            }
            if let timeout = channel.timeout { facts.append("timeout \(DurationParser.format(timeout))") }
            lines.append("  \(name): \(channel.type)" + (facts.isEmpty ? "" : " (\(facts.joined(separator: "; ")))"))
        }
        lines.append("routes (\(config.routes.count), first match wins):")
        for (index, route) in config.routes.enumerated() {
            let match = route.matchers.isEmpty ? "everything" : route.matchers.map(\.description).joined(separator: " ")
            let resolve = route.notifyOnResolve ? " (and on resolve)" : ""
            lines.append("  \(index + 1). \(route.name): \(match) -> \(route.channels.joined(separator: ", "))\(resolve)")
        }
        let retry = config.delivery.retry
        lines.append("delivery: timeout \(DurationParser.format(config.delivery.timeout)), \(retry.maxAttempts) attempts, backoff \(DurationParser.format(retry.initialBackoff))..\(DurationParser.format(retry.maxBackoff)), Retry-After up to \(DurationParser.format(retry.maxRetryAfter)), \(config.delivery.maxConcurrent) concurrent")
        if let directory = config.templatesDirectory { lines.append("templates_dir: \(directory)") }
        return lines.joined(separator: "\n")
    }
}
