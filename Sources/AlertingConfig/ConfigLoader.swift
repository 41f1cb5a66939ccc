import Alerting
import Foundation
import Yams

/// Finds, reads and validates the YAML config.
public struct ConfigLoader: Sendable {
    /// The channel types and detectors a file can name.
    public var registry: ConfigRegistry

    /// The reason of a stand-in for a channel whose section has errors (see ``parse(_:)``).
    static let sectionHasErrors = "its section has errors"
    public var environment: [String: String]
    /// A channel whose `${VARIABLE}` is not set becomes ``ChannelConfig/Settings/unavailable(type:medium:reason:)``
    /// instead of failing the whole config: reading and acknowledging at 3 a.m. must not need
    /// every channel's secret, and a page goes out through the channels that have theirs.
    /// `notify config check` keeps it an error.
    public var deferUnsetSecrets: Bool

    public init(registry: ConfigRegistry = .standard, environment: [String: String] = ProcessInfo.processInfo.environment, deferUnsetSecrets: Bool = false) {
        self.registry = registry
        self.environment = environment
        self.deferUnsetSecrets = deferUnsetSecrets
    }

    /// `--config PATH`, else `$NOTIFY_CONFIG`, else `./notify.yaml`, else `/etc/notify/notify.yaml`.
    public func locate(explicitPath: String?) throws -> String {
        if let explicitPath { return explicitPath }
        if let fromEnvironment = environment["NOTIFY_CONFIG"], !fromEnvironment.isEmpty { return fromEnvironment }
        for candidate in ["notify.yaml", "/etc/notify/notify.yaml"] where FileManager.default.fileExists(atPath: candidate) {
            return candidate
        }
        throw ConfigError(path: "", "no config found: pass --config PATH, set NOTIFY_CONFIG, or create ./notify.yaml or /etc/notify/notify.yaml")
    }

    public func load(path: String) throws -> NotifyConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, path: "", "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, path: "", "not UTF-8 text")
        }
        return try parse(text, file: path)
    }

    public func parse(_ text: String, file: String? = nil) throws -> NotifyConfig {
        let node: Node?
        do {
            // The basic resolver tags nothing: every value's type is checked where it is read,
            // and the default resolver compiles a dozen regexes on every start.
            node = try Yams.compose(yaml: text, .basic)
        } catch let error as YamlError {
            throw ConfigError(file: file, path: "", "not valid YAML: \(Self.describe(error))")
        }
        guard let node else { throw ConfigError(file: file, path: "", "the file is empty") }
        let root = ConfigNode(node: node, path: "", context: .init(file: file, environment: environment))
        return try readConfig(root)
    }

    private func readConfig(_ root: ConfigNode) throws -> NotifyConfig {
        let problems = ConfigProblems()
        func entries(_ key: String) -> [(key: String, value: ConfigNode)] {
            problems.check { try root.optional(key)?.mappingEntries() ?? [] } ?? []
        }
        func items(_ key: String) -> [ConfigNode] {
            problems.check { try root.optional(key)?.sequenceItems() ?? [] } ?? []
        }
        problems.check { try root.checkKeys(allowed: ["channels", "contacts", "schedules", "policies", "routes", "maintenance", "heartbeats", "detectors", "storm_control", "delivery", "templates_dir", "state", "server", "dead_man_switch", "auto_resolve"]) }
        let delivery = problems.check { try root.optional("delivery").map(readDelivery) } ?? nil
        var channels: [String: ChannelConfig] = [:]
        var routable: [String: ChannelConfig] = [:]
        if let channelsNode = problems.check({ try root.required("channels") }) {
            let entries: [(key: String, value: ConfigNode)] = problems.check { try channelsNode.mappingEntries() } ?? []
            for (name, node) in entries {
                channels[name] = problems.check("channel", named: name) { try readChannelDeferringSecrets(name: name, node) }
            }
            if channels.isEmpty, problems.errors.isEmpty { problems.check { throw channelsNode.error("at least one channel is needed") } }
            // A channel whose section has errors still exists for routes and policies: they are
            // checked as far as they can be, so one run reports every problem, and a route is
            // not blamed for naming it. The config is never built with these.
            for (name, _) in entries where channels[name] == nil {
                routable[name] = ChannelConfig(name: name, type: "", settings: UnavailableChannelSettings(reason: ConfigLoader.sectionHasErrors))
            }
        }
        routable.merge(channels) { _, usable in usable }
        // A channel made of others names channels that exist and reach people as it does.
        for (name, channel) in channels.sorted(by: { $0.key < $1.key }) {
            guard let composed = channel.settings as? any ComposedChannelSettings, let problem = composed.problem(with: channels) else { continue }
            let node = problems.check { try root.required("channels").required(name) }
            problems.check { throw node.map { $0.error(problem) } ?? ConfigError(path: "channels.\(name)", problem) }
            channels[name] = nil
        }
        var contacts: [String: Contact] = [:]
        var passwordHashes: [String: Secret] = [:]
        for (name, node) in entries("contacts") {
            contacts[name] = problems.check("contact", named: name) { try readContact(name: name, node) }
            passwordHashes[name] = problems.check { try readPasswordHash(node) } ?? nil
        }
        var schedules: [String: OnCallSchedule] = [:]
        for (name, node) in entries("schedules") {
            schedules[name] = problems.check("schedule", named: name) { try readSchedule(name: name, node, contacts: contacts) }
        }
        let people = People(contacts: contacts, schedules: schedules)
        var policies: [String: EscalationPolicy] = [:]
        for (name, node) in entries("policies") {
            policies[name] = problems.check("policy", named: name) { try readPolicy(name: name, node, channels: routable, people: people) }
        }
        var routes: [Route] = []
        if let routesNode = problems.check({ try root.required("routes") }) {
            let items = problems.check { try routesNode.sequenceItems() } ?? []
            for (index, node) in items.enumerated() {
                if let route = problems.check({ try readRoute(index: index, node, channels: routable, people: people, policies: policies) }) { routes.append(route) }
            }
            if items.isEmpty { problems.check { throw routesNode.error("at least one route is needed") } }
        }
        var config = NotifyConfig(channels: channels, contacts: contacts, routes: routes, delivery: delivery ?? DeliverySettings())
        config.policies = policies
        config.schedules = schedules
        for (name, node) in entries("detectors") {
            if let detector = problems.check({ try readDetector(name: name, node) }) { config.detectors.append((name, detector)) }
        }
        for (name, node) in entries("heartbeats") {
            config.heartbeats[name] = problems.check { try readHeartbeat(name: name, node) }
        }
        config.stormControl = problems.check { try root.optional("storm_control").map(readStormControl) } ?? nil
        for (index, node) in items("maintenance").enumerated() {
            if let window = problems.check({ try readMaintenance(index: index, node) }) { config.maintenance.append(window) }
        }
        config.server = problems.check { try root.optional("server").map(readServer) } ?? nil
        config.server?.console.passwordHashes = passwordHashes
        for node in items("auto_resolve") {
            if let rule = problems.check({ try readAutoResolve(node) }) { config.autoResolve.append(rule) }
        }
        config.deadManSwitch = problems.check { try root.optional("dead_man_switch").map(readDeadManSwitch) } ?? nil
        config.templatesDirectory = problems.check { try root.optional("templates_dir")?.nonEmptyString() } ?? nil
        config.statePath = problems.check { try root.optional("state")?.nonEmptyString() } ?? nil
        try problems.throwIfAny()
        return config
    }

    /// A channel, or with ``deferUnsetSecrets`` and an unset `${VARIABLE}` in it, a channel
    /// that cannot deliver (its type's capabilities kept, so routes read it alike).
    private func readChannelDeferringSecrets(name: String, _ node: ConfigNode) throws -> ChannelConfig {
        do {
            return try readChannel(name: name, node)
        } catch let error as ConfigError where deferUnsetSecrets && error.message.hasPrefix("environment variable ") && error.message.hasSuffix(" is not set") {
            let typeName = try node.required("type").string()
            guard let type = registry.channelType(named: typeName) else { throw error }
            return ChannelConfig(name: name, type: type.name, capabilities: type.capabilities,
                                 settings: UnavailableChannelSettings(reason: "\(error.path): \(error.message)"))
        }
    }

    /// A section under `detectors:`, read by the detector type registered with its name.
    private func readDetector(name: String, _ node: ConfigNode) throws -> any Detector {
        guard let type = registry.detectorType(named: name) else {
            let known = registry.detectorTypes.map(\.name)
            throw node.error("unknown detector (expected one of: \(known.joined(separator: ", ")))")
        }
        return try type.read(node)
    }

    func severity(_ node: ConfigNode) throws -> Severity {
        try node.severity()
    }

    private func readHeartbeat(name: String, _ node: ConfigNode) throws -> Heartbeat {
        try node.checkKeys(allowed: ["interval", "grace", "severity", "environment"])
        var heartbeat = Heartbeat(name: name, interval: try positive(node.required("interval")))
        if let grace = try node.optional("grace") { heartbeat.grace = try grace.duration() }
        if let severityNode = try node.optional("severity") { heartbeat.severity = try severity(severityNode) }
        heartbeat.environment = try node.optional("environment")?.nonEmptyString()
        return heartbeat
    }

    private func readStormControl(_ node: ConfigNode) throws -> StormControl {
        try node.checkKeys(allowed: ["max_new_alerts", "window", "digest_wait"])
        var storm = StormControl(maxNewAlerts: try node.required("max_new_alerts").int(in: 1...10_000), window: try positive(node.required("window")))
        if let value = try node.optional("digest_wait") { storm.digestWait = try value.duration() }
        return storm
    }

    private func readAutoResolve(_ node: ConfigNode) throws -> AutoResolveRule {
        try node.checkKeys(allowed: ["match", "after"])
        return AutoResolveRule(matchers: try node.optional("match").map(readMatchers) ?? [], after: try positive(node.required("after")))
    }

    private func readDeadManSwitch(_ node: ConfigNode) throws -> DeadMansSwitchSettings {
        try node.checkKeys(allowed: ["url", "every", "method", "timeout"])
        var settings = DeadMansSwitchSettings(url: Secret(try node.required("url").url()))
        if let value = try node.optional("every") { settings.interval = try positive(value) }
        if let value = try node.optional("timeout") { settings.timeout = try positive(value) }
        if let value = try node.optional("method") {
            settings.method = try value.string().uppercased()
            guard ["GET", "POST", "HEAD"].contains(settings.method) else { throw value.error("expected GET, POST or HEAD") }
        }
        return settings
    }

    private func readDelivery(_ node: ConfigNode) throws -> DeliverySettings {
        try node.checkKeys(allowed: ["timeout", "max_attempts", "initial_backoff", "max_backoff", "max_retry_after", "jitter", "max_concurrent", "give_up_after", "lease"])
        var settings = DeliverySettings()
        if let value = try node.optional("timeout") { settings.timeout = try positive(value) }
        if let value = try node.optional("max_attempts") { settings.retry.maxAttempts = try value.int(in: 1...20) }
        if let value = try node.optional("initial_backoff") { settings.retry.initialBackoff = try value.duration() }
        if let value = try node.optional("max_backoff") { settings.retry.maxBackoff = try value.duration() }
        if let value = try node.optional("max_retry_after") { settings.retry.maxRetryAfter = try value.duration() }
        if let value = try node.optional("jitter") {
            guard let jitter = Double(try value.string()), (0...1).contains(jitter) else { throw value.error("expected a number from 0 to 1") }
            settings.retry.jitter = jitter
        }
        if let value = try node.optional("max_concurrent") { settings.maxConcurrent = try value.int(in: 1...1024) }
        if let value = try node.optional("give_up_after") { settings.giveUpAfter = try positive(value) }
        if let value = try node.optional("lease") {
            settings.leaseDuration = try value.duration()
            guard settings.leaseDuration >= .seconds(1) else { throw value.error("must be 1s or longer (it is renewed every third of it)") }
        }
        return settings
    }

    func positive(_ node: ConfigNode) throws -> Duration {
        try node.positiveDuration()
    }

    static func isHeaderName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { ASCII.isLetter($0) || ASCII.isDigit($0) || "!#$%&'*+-.^_`|~".utf8.contains($0) }
    }

    static func describe(_ error: YamlError) -> String {
        // YamlError's description quotes the offending line, which may hold a secret: keep
        // only the problem and its position.
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _):
            return "\(problem) at line \(mark.line), column \(mark.column)" + (context.map { " (\($0.text))" } ?? "")
        default:
            return "cannot parse"
        }
    }
}
