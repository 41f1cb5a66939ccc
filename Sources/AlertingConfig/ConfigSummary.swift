import Alerting
import Foundation

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
            var facts = channel.settings.summary
            if let medium = channel.medium {
                facts.append("throttle \(channel.throttle ?? ThrottleRule.defaultRule(for: medium)) per contact")
            }
            if let timeout = channel.timeout { facts.append("timeout \(DurationParser.format(timeout))") }
            lines.append("  \(name): \(channel.type)" + (facts.isEmpty ? "" : " (\(facts.joined(separator: "; ")))"))
        }
        if !config.contacts.isEmpty {
            lines.append("contacts (\(config.contacts.count)):")
            for name in config.contacts.keys.sorted() {
                guard let contact = config.contacts[name] else { continue }
                var facts: [String] = []
                if let phone = contact.phone { facts.append(phone.e164) }
                if let slack = contact.slackMemberID { facts.append("slack \(slack)") }
                if let email = contact.email { facts.append(email) }
                // A topic or a user key lets whoever has it page this person: named, never shown.
                let others = contact.addresses.keys.filter { $0 != "email" }.sorted()
                if !others.isEmpty { facts.append(others.joined(separator: ", ") + " set") }
                for medium in contact.throttles.keys.sorted() { if let rule = contact.throttles[medium] { facts.append("\(medium.rawValue) \(rule)") } }
                lines.append("  \(name): " + (facts.isEmpty ? "no way to reach" : facts.joined(separator: ", ")))
            }
        }
        if !config.policies.isEmpty {
            lines.append("policies (\(config.policies.count)):")
            for name in config.policies.keys.sorted() {
                guard let policy = config.policies[name] else { continue }
                var text = "  \(name): " + policy.steps.map { "after \(DurationParser.format($0.after)) \($0.targets.map(\.description).joined(separator: "; "))" }.joined(separator: ", then ")
                if policy.repeatCount > 0 { text += "; repeat \(policy.repeatCount)× every \(DurationParser.format(policy.repeatAfter))" }
                if let ackTimeout = policy.ackTimeout { text += "; ack timeout \(DurationParser.format(ackTimeout))" }
                lines.append(text)
            }
        }
        if !config.schedules.isEmpty {
            lines.append("schedules (\(config.schedules.count)):")
            for name in config.schedules.keys.sorted() {
                guard let schedule = config.schedules[name] else { continue }
                let rotations = schedule.rotations.map { "\($0.name) \($0.shift) \($0.members.joined(separator: ", "))" }.joined(separator: "; ")
                lines.append("  \(name) (\(schedule.timeZone.identifier)): \(rotations)" + (schedule.overrides.isEmpty ? "" : "; \(schedule.overrides.count) overrides"))
            }
        }
        lines.append("routes (\(config.routes.count), first match wins):")
        for (index, route) in config.routes.enumerated() {
            let match = route.matchers.isEmpty ? "everything" : route.matchers.map(\.description).joined(separator: " ")
            let resolve = route.notifyOnResolve ? " (and on resolve)" : ""
            let action = route.policy.map { "policy \($0)" } ?? route.targets.map(\.description).joined(separator: "; ")
            lines.append("  \(index + 1). \(route.name): \(match) -> \(action)\(resolve)")
        }
        if let storm = config.stormControl { lines.append("storm control: \(storm)") }
        if !config.heartbeats.isEmpty {
            lines.append("heartbeats (\(config.heartbeats.count)):")
            for heartbeat in config.heartbeats.values.sorted(by: { $0.name < $1.name }) {
                lines.append("  \(heartbeat.name): every \(DurationParser.format(heartbeat.interval)) + \(DurationParser.format(heartbeat.grace)) grace, \(heartbeat.severity.rawValue)"
                             + (heartbeat.environment.map { ", environment \($0)" } ?? ""))
            }
        }
        for (name, detector) in config.detectors {
            lines.append("detectors: \(name)" + ((detector as? any CustomStringConvertible).map { ": \($0.description)" } ?? ""))
        }
        for rule in config.autoResolve {
            let match = rule.matchers.isEmpty ? "everything" : rule.matchers.map(\.description).joined(separator: " ")
            lines.append("auto_resolve: \(match) after \(DurationParser.format(rule.after)) without an event")
        }
        if !config.maintenance.isEmpty {
            lines.append("maintenance (\(config.maintenance.count)):")
            let formatter = Date.ISO8601FormatStyle()
            for window in config.maintenance {
                let match = window.matchers.isEmpty ? "everything" : window.matchers.map(\.description).joined(separator: " ")
                let when: String
                switch window.when {
                case .once(let from, let until): when = "\(from.formatted(formatter)) to \(until.formatted(formatter))"
                case .weekly(let days, let from, let until):
                    let names = ["", "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
                    let time = { (c: DateComponents) in String(format: "%02d:%02d", c.hour ?? 0, c.minute ?? 0) }
                    when = "weekly " + days.sorted().map { names[$0] }.joined(separator: ",") + " \(time(from))-\(time(until)) \(window.timeZone.identifier)"
                }
                lines.append("  \(window.name): \(match), \(when)")
            }
        }
        let retry = config.delivery.retry
        lines.append("delivery: timeout \(DurationParser.format(config.delivery.timeout)), \(retry.maxAttempts) attempts, backoff \(DurationParser.format(retry.initialBackoff))..\(DurationParser.format(retry.maxBackoff)), Retry-After up to \(DurationParser.format(retry.maxRetryAfter)), \(config.delivery.maxConcurrent) concurrent, lease \(DurationParser.format(config.delivery.leaseDuration)), give up after \(DurationParser.format(config.delivery.giveUpAfter))")
        if let server = config.server {
            var facts = ["listen \(server.host):\(server.port)"]
            facts.append(server.publicURL.map { "public_url \($0)" } ?? "no public_url (Twilio callbacks are checked against the listen address)")
            facts.append(server.authDisabled ? "no auth (loopback only)" : (server.token == nil ? "no token" : "token set"))
            if !server.integrations.isEmpty { facts.append("integrations: " + server.integrations.map(\.name).sorted().joined(separator: ", ")) }
            if server.slackSigningSecret != nil { facts.append("Slack signing secret set") }
            lines.append("server: " + facts.joined(separator: "; "))
            let console = server.console
            var signIn: [String] = []
            if !console.passwordHashes.isEmpty { signIn.append("passwords for " + console.passwordHashes.keys.sorted().joined(separator: ", ")) }
            if let header = console.trustedHeader { signIn.append("\(header) from \(console.trustedProxies.joined(separator: ", "))") }
            lines.append("console: \(server.pathPrefix)/console; sign-in: " + (signIn.isEmpty ? "nobody yet (notify passwd NAME)" : signIn.joined(separator: "; "))
                         + "; calendar feeds " + (console.feedSecret ?? server.actionSecret == nil ? "off" : "on"))
        }
        if let directory = config.templatesDirectory { lines.append("templates_dir: \(directory)") }
        if let state = config.statePath { lines.append("state: \(StateLocation.redacted(state))") }
        if let deadManSwitch = config.deadManSwitch {
            lines.append("dead_man_switch: url set; \(deadManSwitch.method) every \(DurationParser.format(deadManSwitch.interval))")
        }
        return lines.joined(separator: "\n")
    }
}
