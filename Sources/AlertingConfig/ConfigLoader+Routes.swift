import Alerting
import Foundation

/// Contacts and schedules, which targets name.
struct People {
    var contacts: [String: Contact]
    var schedules: [String: OnCallSchedule]
}

/// Reading `contacts:`, `schedules:`, `policies:` and `routes:`.
extension ConfigLoader {
    func readSchedule(name: String, _ node: ConfigNode, contacts: [String: Contact]) throws -> OnCallSchedule {
        try node.checkKeys(allowed: ["timezone", "rotations", "overrides"])
        let zoneNode = try node.required("timezone")
        let zoneName = try zoneNode.nonEmptyString()
        guard let timeZone = TimeZone(identifier: zoneName) else {
            throw zoneNode.error("\(quoted(zoneName)) is not an IANA timezone such as America/New_York or UTC")
        }
        func member(_ item: ConfigNode) throws -> String {
            let name = try item.nonEmptyString()
            guard contacts[name] != nil else {
                throw item.error("no contact named \(quoted(name)) (contacts: \(contacts.keys.sorted().joined(separator: ", ")))")
            }
            return name
        }
        let rotationsNode = try node.required("rotations")
        let rotations = try rotationsNode.sequenceItems().enumerated().map { index, item -> OnCallSchedule.Rotation in
            try item.checkKeys(allowed: ["name", "members", "shift", "start"])
            let membersNode = try item.required("members")
            let members = try membersNode.sequenceItems().map(member)
            guard !members.isEmpty else { throw membersNode.error("needs at least one member") }
            let shiftNode = try item.required("shift")
            let shift: OnCallSchedule.Shift
            switch try shiftNode.string() {
            case "hourly": shift = .fixed(.seconds(3600))
            case "daily": shift = .daily
            case "weekly": shift = .weekly
            default: shift = .fixed(try positive(shiftNode))
            }
            let startNode = try item.required("start")
            let startText = try startNode.nonEmptyString()
            guard let start = Self.localTime(startText, in: timeZone) else {
                throw startNode.error("\(quoted(startText)) is not a local time such as 2026-11-02T09:00 (in \(zoneName))")
            }
            return OnCallSchedule.Rotation(name: try item.optional("name")?.nonEmptyString() ?? "rotations[\(index)]", members: members, shift: shift, start: start)
        }
        guard !rotations.isEmpty else { throw rotationsNode.error("needs at least one rotation") }
        let overrides = try node.optional("overrides")?.sequenceItems().map { item -> OnCallSchedule.Override in
            try item.checkKeys(allowed: ["member", "from", "until"])
            func instant(_ key: String) throws -> Date {
                let valueNode = try item.required(key)
                let text = try valueNode.nonEmptyString()
                guard let date = FieldReader.parseTimestamp(text) else {
                    throw valueNode.error("\(quoted(text)) is not an RFC 3339 time such as 2026-11-24T18:00:00-05:00")
                }
                return date
            }
            let override = OnCallSchedule.Override(member: try member(item.required("member")), from: try instant("from"), until: try instant("until"))
            guard override.until > override.from else { throw try item.required("until").error("must be after from") }
            return override
        } ?? []
        return OnCallSchedule(name: name, timeZone: timeZone, rotations: rotations, overrides: overrides)
    }

    /// `maintenance:` entries: `{name, match, timezone, from, until}` once (RFC 3339 instants),
    /// or `{name, match, timezone, days: [sat, sun], from: "02:00", until: "04:00"}` weekly.
    func readMaintenance(index: Int, _ node: ConfigNode) throws -> MaintenanceWindow {
        try node.checkKeys(allowed: ["name", "match", "timezone", "days", "from", "until"])
        let name = try node.optional("name")?.nonEmptyString() ?? "maintenance[\(index)]"
        let matchers = try readMatchers(node.required("match"))
        guard !matchers.isEmpty else { throw try node.required("match").error("needs at least one matcher") }
        var timeZone = TimeZone.gmt
        if let zoneNode = try node.optional("timezone") {
            let zoneName = try zoneNode.nonEmptyString()
            guard let zone = TimeZone(identifier: zoneName) else { throw zoneNode.error("\(quoted(zoneName)) is not an IANA timezone such as Europe/Berlin or UTC") }
            timeZone = zone
        }
        let fromNode = try node.required("from"), untilNode = try node.required("until")
        if let daysNode = try node.optional("days") {
            var days: Set<Int> = []
            for day in try daysNode.stringList() {
                guard let number = MaintenanceWindow.dayNames[day.lowercased().prefix(3).description] else {
                    throw daysNode.error("\(quoted(day)) is not a day (mon, tue, wed, thu, fri, sat, sun)")
                }
                days.insert(number)
            }
            func clock(_ valueNode: ConfigNode) throws -> DateComponents {
                let text = try valueNode.nonEmptyString()
                let parts = text.split(separator: ":").compactMap { Int($0) }
                guard parts.count == 2, (0..<24).contains(parts[0]), (0..<60).contains(parts[1]) else {
                    throw valueNode.error("\(quoted(text)) is not a time of day such as 02:00")
                }
                return DateComponents(hour: parts[0], minute: parts[1])
            }
            return MaintenanceWindow(name: name, matchers: matchers, timeZone: timeZone, when: .weekly(days: days, from: try clock(fromNode), until: try clock(untilNode)))
        }
        func instant(_ valueNode: ConfigNode) throws -> Date {
            let text = try valueNode.nonEmptyString()
            guard let date = FieldReader.parseTimestamp(text) else {
                throw valueNode.error("\(quoted(text)) is not an RFC 3339 time (or give days: for a weekly window)")
            }
            return date
        }
        let from = try instant(fromNode), until = try instant(untilNode)
        guard until > from else { throw untilNode.error("must be after from") }
        return MaintenanceWindow(name: name, matchers: matchers, timeZone: timeZone, when: .once(from: from, until: until))
    }

    /// `2026-11-02T09:00` or `2026-11-02T09:00:00`, as wall-clock time in `timeZone`.
    static func localTime(_ text: String, in timeZone: TimeZone) -> Date? {
        let parts = text.split(separator: "T")
        guard parts.count == 2 else { return nil }
        let day = parts[0].split(separator: "-").compactMap { Int($0) }
        let time = parts[1].split(separator: ":").compactMap { Int($0) }
        guard day.count == 3, (2...3).contains(time.count) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let components = DateComponents(year: day[0], month: day[1], day: day[2], hour: time[0], minute: time[1], second: time.count > 2 ? time[2] : 0)
        guard let date = calendar.date(from: components), calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date).day == day[2] else { return nil }
        return date
    }

    func readContact(name: String, _ node: ConfigNode) throws -> Contact {
        // An address for each medium a registered channel type reaches people by (`telegram:`,
        // `pushover:`, a medium of your own channel's), besides the phone and Slack.
        let media = Set(ContactMedium.builtIn + registry.channelTypes.compactMap(\.capabilities.medium))
        let addressKeys = Set(media.map(\.addressKey)).subtracting(["phone"]).sorted()
        try node.checkKeys(allowed: ["phone", "slack"] + addressKeys + ["throttle", "password_hash"])
        var contact = Contact(name: name)
        if let phoneNode = try node.optional("phone") {
            let text = try phoneNode.string()
            guard let phone = PhoneNumber(text) else { throw phoneNode.error("\(quoted(text)) is not \(PhoneNumber.rule)") }
            contact.phone = phone
        }
        contact.slackMemberID = try node.optional("slack")?.nonEmptyString()
        for key in addressKeys {
            if let address = try node.optional(key)?.nonEmptyString() { contact.addresses[key] = address }
        }
        if let throttles = try node.optional("throttle") {
            for (key, value) in try throttles.mappingEntries() {
                let medium = ContactMedium(key)
                guard media.contains(medium) else { throw value.error("expected one of " + media.map(\.rawValue).sorted().joined(separator: ", ")) }
                contact.throttles[medium] = try readThrottle(value)
            }
        }
        return contact
    }

    func readPolicy(name: String, _ node: ConfigNode, channels: [String: ChannelConfig], people: People) throws -> EscalationPolicy {
        try node.checkKeys(allowed: ["steps", "repeat", "repeat_after", "ack_timeout"])
        let stepsNode = try node.required("steps")
        let steps = try stepsNode.sequenceItems().map { step -> EscalationPolicy.Step in
            try step.checkKeys(allowed: ["after", "notify"])
            let after = try step.required("after").duration()
            return EscalationPolicy.Step(after: after, targets: try readTargets(step.required("notify"), channels: channels, people: people))
        }
        guard !steps.isEmpty else { throw stepsNode.error("needs at least one step") }
        for (index, step) in steps.enumerated().dropFirst() where step.after < steps[index - 1].after {
            throw try stepsNode.sequenceItems()[index].error("steps must be in order of `after` (this one comes before the one above it)")
        }
        let repeatCount = try node.optional("repeat")?.int(in: 0...9) ?? 0
        let repeatAfter = try node.optional("repeat_after").map(positive)
        if let repeatAfter, let last = steps.last, repeatAfter <= last.after {
            throw try node.required("repeat_after").error("must be longer than the last step's `after` (\(DurationParser.format(last.after)))")
        }
        let ackTimeout = try node.optional("ack_timeout").map(positive)
        return EscalationPolicy(name: name, steps: steps, repeatCount: repeatCount, repeatAfter: repeatAfter, ackTimeout: ackTimeout)
    }

    func readRoute(index: Int, _ node: ConfigNode, channels: [String: ChannelConfig], people: People, policies: [String: EscalationPolicy]) throws -> Route {
        try node.checkKeys(allowed: ["name", "match", "notify", "policy", "notify_on_resolve", "continue", "hold"])
        let name = try node.optional("name")?.nonEmptyString() ?? "routes[\(index)]"
        let matchers = try node.optional("match").map(readMatchers) ?? []
        let notifyOnResolve = try node.optional("notify_on_resolve")?.bool() ?? false
        let continueMatching = try node.optional("continue")?.bool() ?? false
        let hold = try node.optional("hold").map { try $0.duration() }
        switch (try node.optional("notify"), try node.optional("policy")) {
        case (let notifyNode?, nil):
            var route = Route(name: name, matchers: matchers, targets: try readTargets(notifyNode, channels: channels, people: people), notifyOnResolve: notifyOnResolve)
            route.continueMatching = continueMatching
            route.hold = hold
            return route
        case (nil, let policyNode?):
            let policy = try policyNode.nonEmptyString()
            guard policies[policy] != nil else {
                throw policyNode.error("no policy named \(quoted(policy)) (policies: \(policies.keys.sorted().joined(separator: ", ")))")
            }
            var route = Route(name: name, matchers: matchers, policy: policy, notifyOnResolve: notifyOnResolve)
            route.continueMatching = continueMatching
            route.hold = hold
            return route
        case (_?, _?):
            throw node.error("give notify or policy, not both")
        case (nil, nil):
            throw ConfigError(file: node.context.file, path: node.path + ".notify", line: node.node.mark.map { $0.line }, "missing (or give policy)")
        }
    }

    /// `match:` as a mapping (`environment: prod-*`, a list of patterns matches any; a value may
    /// start with `!=`, `=~` or `!~`) or as a list of Alertmanager-style strings
    /// (`environment=~prod-.*`, `kind!=heartbeat`, `details.region=eu-*`).
    func readMatchers(_ node: ConfigNode) throws -> [RouteMatcher] {
        if case .sequence = node.node {
            return try node.sequenceItems().map { item in
                let text = try item.nonEmptyString()
                do {
                    return try RouteMatcher.parse(text)
                } catch let error as RouteMatcher.ParseError {
                    throw item.error(error.message)
                }
            }
        }
        return try node.mappingEntries().map { key, value in
            var op = MatchOperator.equals
            var patterns = try value.stringList()
            if let first = patterns.first, let prefixed = [MatchOperator.notEquals, .matchesRegex, .notMatchesRegex].first(where: { first.hasPrefix($0.rawValue) }) {
                op = prefixed
                patterns[0] = String(first.dropFirst(prefixed.rawValue.count))
            }
            do {
                return try RouteMatcher.make(field: key, op: op, patterns: patterns)
            } catch let error as RouteMatcher.ParseError {
                throw value.error(error.message)
            }
        }
    }

    /// A list of targets (or one channel name).
    private func readTargets(_ notifyNode: ConfigNode, channels: [String: ChannelConfig], people: People) throws -> [RouteTarget] {
        let items: [ConfigNode]
        if case .scalar = notifyNode.node { items = [notifyNode] } else { items = try notifyNode.sequenceItems() }
        guard !items.isEmpty else { throw notifyNode.error("needs at least one channel") }
        // Every target is checked, so one run names every unknown channel of the route.
        var targets: [RouteTarget] = []
        var errors: [ConfigError] = []
        for item in items {
            do { targets.append(try readTarget(item, channels: channels, people: people)) } catch let error as ConfigError { errors.append(error) }
        }
        if var first = errors.first {
            first.more = Array(errors.dropFirst())
            throw first
        }
        return targets
    }

    /// `ops-slack`, or `{channel: twilio-sms, to: [alice, bob]}` for channels that reach people.
    private func readTarget(_ node: ConfigNode, channels: [String: ChannelConfig], people: People) throws -> RouteTarget {
        let channelNode: ConfigNode
        var toNode: ConfigNode?
        if case .scalar = node.node {
            channelNode = node
        } else {
            try node.checkKeys(allowed: ["channel", "to"])
            channelNode = try node.required("channel")
            toNode = try node.optional("to")
        }
        let channelName = try channelNode.string()
        guard let channel = channels[channelName] else {
            throw channelNode.error("no channel named \(quoted(channelName)) (channels: \(channels.keys.sorted().joined(separator: ", ")))")
        }
        // A channel whose section has errors: those errors are reported; what it needs is not known.
        if (channel.settings as? UnavailableChannelSettings)?.reason == ConfigLoader.sectionHasErrors {
            return RouteTarget(channel: channelName, contacts: try toNode?.stringList() ?? [])
        }
        guard let medium = channel.medium else {
            if let toNode { throw toNode.error("channel \(channelName) (\(channel.type)) posts to a place, not to people: remove `to:`") }
            return RouteTarget(channel: channelName)
        }
        guard let toNode else {
            throw node.error("channel \(channelName) (\(channel.type)) reaches people: write {channel: \(channelName), to: [contact, ...]}")
        }
        let names = try toNode.stringList()
        guard !names.isEmpty else { throw toNode.error("needs at least one contact") }
        for name in names {
            // A contact, or `oncall:SCHEDULE` (whoever is on call when the step fires).
            let members: [String]
            if let schedule = OnCallTarget.scheduleName(name) {
                guard let found = people.schedules[schedule] else {
                    throw toNode.error("no schedule named \(quoted(schedule)) (schedules: \(people.schedules.keys.sorted().joined(separator: ", ")))")
                }
                members = found.rotations.flatMap(\.members) + found.overrides.map(\.member)
            } else {
                guard people.contacts[name] != nil else {
                    throw toNode.error("no contact named \(quoted(name)) (contacts: \(people.contacts.keys.sorted().joined(separator: ", ")))")
                }
                members = [name]
            }
            for member in members where people.contacts[member]?.address(for: medium) == nil {
                throw toNode.error("contact \(member) has no \(medium.addressKey), which \(channelName) needs for \(medium.rawValue)")
            }
        }
        return RouteTarget(channel: channelName, contacts: names)
    }
}
