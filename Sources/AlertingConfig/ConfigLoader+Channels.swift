import Alerting

/// Reading `channels:`: each section by the reader its `type:` registered, which rejects keys it
/// does not know.
extension ConfigLoader {
    /// A channel's section, read by its registered type (``ConfigRegistry``).
    func readChannel(name: String, _ node: ConfigNode) throws -> ChannelConfig {
        guard !name.isEmpty else { throw node.error("a channel needs a name") }
        let typeNode = try node.required("type")
        let typeName = try typeNode.string()
        guard let type = registry.channelType(named: typeName) else {
            throw typeNode.error("\(quoted(typeName)) is not one of \(registry.channelTypes.map(\.name).joined(separator: ", "))")
        }
        try node.checkKeys(allowed: type.allowedKeys)
        let timeout = try node.optional("timeout").map(positive)
        let maxConcurrent = try node.optional("max_concurrent").map { try $0.int(in: 1...1024) }
        let settings = try type.read(node)
        let throttle = type.capabilities.medium == nil ? nil : try node.optional("throttle").map(readThrottle)
        return ChannelConfig(name: name, type: type.name, capabilities: type.capabilities, settings: settings, timeout: timeout,
                             maxConcurrent: maxConcurrent, throttle: throttle)
    }

    func readThrottle(_ node: ConfigNode) throws -> ThrottleRule {
        try node.checkKeys(allowed: ["limit", "window"])
        return ThrottleRule(limit: try node.required("limit").int(in: 1...10_000), window: try positive(node.required("window")))
    }
}
