import Foundation

/// What would happen to an event, without sending anything: `notify route test`.
public struct RouteExplanation: Sendable, Encodable {
    public struct RouteCheck: Sendable, Encodable {
        public var name: String
        public var matched: Bool
        /// The matchers that did not match, with the alert's value: `environment=prod-* ("staging")`.
        public var failed: [String]
    }

    /// One notification the policy would send, and when.
    public struct Page: Sendable, Encodable {
        public var at: Date
        public var step: Int
        public var pass: Int
        public var channel: String
        public var to: String?
        public var phone: String?
    }

    public var alert: Alert
    public var routes: [RouteCheck]
    /// The first route that matched.
    public var route: String?
    /// Every route the alert would take (more than one with `continue: true`).
    public var usedRoutes: [String] = []
    public var policy: String?
    public var pages: [Page]
    public var ackTimeout: Duration?
    /// An open alert with the same dedup key: the event would update it and page nobody.
    public var openAlertID: Int64?
    /// Active silences that match: the alert would be recorded and wait for them to end.
    public var silencedBy: [Int64] = []
    /// Open maintenance windows that match, likewise.
    public var maintenance: [String] = []

    enum CodingKeys: String, CodingKey {
        case alert, routes, route, policy, pages, ackTimeoutSeconds = "ack_timeout_seconds", openAlertID = "open_alert_id", silencedBy = "silenced_by", maintenance
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(alert, forKey: .alert)
        try container.encode(routes, forKey: .routes)
        try container.encodeIfPresent(route, forKey: .route)
        try container.encodeIfPresent(policy, forKey: .policy)
        try container.encode(pages, forKey: .pages)
        try container.encodeIfPresent(ackTimeout?.timeInterval, forKey: .ackTimeoutSeconds)
        try container.encodeIfPresent(openAlertID, forKey: .openAlertID)
        try container.encode(silencedBy, forKey: .silencedBy)
        try container.encode(maintenance, forKey: .maintenance)
    }

    /// For a terminal.
    public var text: String {
        var lines = ["event: \(alert.kind) \(alert.severity.rawValue) \(alert.environment ?? "-")/\(alert.source ?? "-") (dedup key \(alert.dedupKey))"]
        lines.append("routes, in order (the first match wins):")
        for (index, check) in routes.enumerated() {
            let mark = check.matched ? "match" : "no match"
            let why = check.failed.isEmpty ? "" : ": " + check.failed.joined(separator: ", ")
            lines.append("  \(index + 1). \(check.name): \(mark)\(why)\(usedRoutes.contains(check.name) ? "  <- used" : "")")
        }
        if let openAlertID {
            lines.append("alert #\(openAlertID) is already open with this dedup key: the event would update it and page nobody.")
            return lines.joined(separator: "\n")
        }
        let silencers = silencedBy.map { "silence #\($0)" } + maintenance
        if !silencers.isEmpty {
            lines.append("silenced by \(silencers.joined(separator: ", ")): the alert would be recorded, and the times below start when that ends.")
        }
        guard route != nil, let policy else {
            lines.append("no route matches: the alert would be recorded and nobody notified.")
            return lines.joined(separator: "\n")
        }
        lines.append("policy \(policy)" + (ackTimeout.map { " (ack timeout \(DurationParser.format($0)))" } ?? "") + ":")
        for page in pages {
            let time = page.at.formatted(Date.ISO8601FormatStyle())
            let pass = page.pass > 0 ? " (repeat \(page.pass))" : ""
            let who = page.to.map { " to \($0)" + (page.phone.map { " (\($0))" } ?? "") } ?? ""
            lines.append("  \(time)  step \(page.step)\(pass)  \(page.channel)\(who)")
        }
        lines.append("each step only if nobody has acknowledged or resolved the alert by then.")
        return lines.joined(separator: "\n")
    }
}

extension Notifier {
    /// What would happen to `event` now: which routes match (and why the others do not), the
    /// policy, and every notification it would send, with times and contacts. Sends nothing,
    /// records nothing.
    public func explain(_ event: AlertEvent) async throws -> RouteExplanation {
        let now = clock.now()
        let alert = AlertStateMachine.newAlert(id: 0, from: event, at: now)
        let checks = router.routes.map { route in
            RouteExplanation.RouteCheck(
                name: route.name, matched: route.matches(alert),
                failed: route.matchers.filter { !$0.matches(alert) }.map { matcher in
                    "\(matcher) (\(matcher.field.value(of: alert).map { "\"\($0)\"" } ?? "absent"))"
                })
        }
        let used = router.matchingRoutes(for: alert)
        var explanation = RouteExplanation(alert: alert, routes: checks, route: used.first?.name, pages: [])
        explanation.usedRoutes = used.map(\.name)
        if let open = try await store.openAlert(dedupKey: event.dedupKey) {
            explanation.openAlertID = open.id
            return explanation
        }
        let silences = try await activeSilences(at: now).filter { $0.matches(alert) }
        explanation.silencedBy = silences.map(\.id).filter { $0 > 0 }
        explanation.maintenance = silences.filter { $0.id == 0 }.compactMap(\.comment)
        let overrides = try await overrides(notEndedAt: now)
        var policyNames: [String] = []
        for route in used {
            guard let policy = policy(for: route) else { continue }
            policyNames.append(route.policy ?? "(route \(route.name)'s own list, at once)")
            if explanation.ackTimeout == nil { explanation.ackTimeout = policy.ackTimeout }
            for position in 0..<policy.firingCount {
                guard let firing = policy.firing(at: position) else { continue }
                let at = now + firing.offset.timeInterval
                for target in policy.steps[firing.step].targets {
                    // On-call targets resolve at the page's own time: a handoff in between shows.
                    var unstaffed: [String] = []
                    let names: [String?] = target.contacts.isEmpty ? [nil] : resolve(target.contacts, at: at, overrides: overrides, unstaffed: &unstaffed)
                    for name in names {
                        explanation.pages.append(.init(
                            at: at, step: firing.step + 1, pass: firing.pass, channel: target.channel,
                            to: name, phone: name.flatMap { contacts[$0]?.phone?.e164 }))
                    }
                    for schedule in unstaffed {
                        explanation.pages.append(.init(at: at, step: firing.step + 1, pass: firing.pass, channel: target.channel, to: "nobody on call in \(schedule)", phone: nil))
                    }
                }
            }
        }
        explanation.pages.sort { $0.at < $1.at }
        if !policyNames.isEmpty { explanation.policy = policyNames.joined(separator: " + ") }
        return explanation
    }
}
