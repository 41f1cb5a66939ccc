import Foundation

/// What escalation means for an alert: which policies an opening trigger starts (one per
/// matching route), what an acknowledge or resolve does to them, and whom a due step pages
/// (`oncall:` targets resolved when the step fires; nothing while a silence matches).
public struct EscalationPlanner: Sendable {
    public let router: Router
    /// Escalation policies by name.
    public let policies: [String: EscalationPolicy]
    /// On-call schedules by name, for `oncall:NAME` targets.
    public let schedules: [String: OnCallSchedule]
    /// Channels that place calls: a resolve notice never rings anyone's phone.
    public let voiceChannels: Set<String>

    public init(router: Router, policies: [EscalationPolicy], schedules: [OnCallSchedule], voiceChannels: Set<String> = []) {
        self.voiceChannels = voiceChannels
        self.router = router
        self.policies = Dictionary(policies.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.schedules = Dictionary(schedules.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The escalation policy a route runs: its named one, or one step with its targets.
    public func policy(for route: Route) -> EscalationPolicy? {
        if let name = route.policy { return policies[name] }
        return EscalationPolicy.immediate(name: route.implicitPolicyName, targets: route.targets)
    }

    /// What a recorded transition does to the alert's escalations.
    public func plan(_ transition: AlertTransition, at now: Date) -> EscalationPlan {
        guard let alert = transition.alert else { return .nothing }
        let routes = router.matchingRoutes(for: alert)
        guard !routes.isEmpty else { return .nothing }
        switch transition.change {
        case .opened:
            return EscalationPlan(starts: routes.compactMap { route in
                guard let policy = policy(for: route), let first = policy.firing(at: 0) else { return nil }
                return EscalationPlan.Start(policy: policy.name, route: route.name, dueAt: now + (first.offset + (route.hold ?? .zero)).timeInterval,
                                            holdsFirstPage: route.hold != nil)
            })
        case .acknowledged:
            var retrigger: [String: Date] = [:]
            for route in routes {
                if let timeout = policy(for: route)?.ackTimeout { retrigger[route.name] = now + timeout.timeInterval }
            }
            return EscalationPlan(retriggerAt: retrigger)
        case .resolved:
            var plan = EscalationPlan(notifyResolve: routes.contains { $0.notifyOnResolve })
            plan.noResolveNoticeVia = voiceChannels
            return plan
        default:
            return .nothing
        }
    }

    /// Whether a place or person an alert reached through `target` hears of its resolution:
    /// where its routes ask for it, and never by a call (people hear it by SMS at most).
    public func wantsResolveNotice(_ alert: Alert, via target: OutboxTarget) -> Bool {
        !voiceChannels.contains(target.channel) && router.matchingRoutes(for: alert).contains { $0.notifyOnResolve }
    }

    /// What an escalation does when it comes due at `now`: the step's targets, and when the
    /// next one is. It runs inside store transactions, so it decides and records nothing
    /// itself: the firing's ``EscalationFiring/lag`` is counted by the caller after the commit. While a silence matches the alert, nothing: the step waits (looked at again
    /// every minute, so expiring a silence early takes effect within one).
    /// `overrides`: the stored on-call overrides (``ScheduleOverride``), read in the same transaction.
    public func fire(_ escalation: EscalationState, alert: Alert, silences: [Silence] = [], overrides: [ScheduleOverride] = [], at now: Date) -> EscalationFiring {
        let matching = silences.filter { $0.isActive(at: now) && $0.matches(alert) }
        if let until = matching.map(\.endsAt).max() {
            let names = matching.map { $0.id == 0 ? ($0.comment ?? "maintenance") : "#\($0.id)" + ($0.comment.map { " (\($0))" } ?? "") }.joined(separator: ", ")
            return .postpone(until: min(until, now + 60), note: "silenced by \(names) until \(until.formatted(Date.ISO8601FormatStyle())): nobody paged",
                             log: !escalation.silenced)
        }
        let route = router.routes.first { $0.name == escalation.route }
        let policy = policies[escalation.policy] ?? route.flatMap { $0.policy == nil ? self.policy(for: $0) : nil }
        guard let policy, let firing = policy.firing(at: escalation.position) else {
            return EscalationFiring(targets: [], next: nil, note: "policy \(escalation.policy) is no longer in the config: escalation stopped")
        }
        var nobodyOnCall: [String] = []
        let targets = policy.steps[firing.step].targets.flatMap { target -> [OutboxTarget] in
            guard !target.contacts.isEmpty else { return [OutboxTarget(channel: target.channel)] }
            let people = resolve(target.contacts, at: now, overrides: overrides, unstaffed: &nobodyOnCall)
            return people.map { OutboxTarget(channel: target.channel, recipient: $0) }
        }
        // After a silence, the policy's clock starts again from this step, so the steps after it
        // keep their spacing instead of all coming due at once.
        let startedAt = escalation.silenced ? now - firing.offset.timeInterval : escalation.startedAt
        let next = policy.firing(at: escalation.position + 1).map { (escalation.position + 1, startedAt + $0.offset.timeInterval) }
        var note = route?.policy == nil ? "notified by route \(escalation.route)" : EscalationStep(number: firing.step + 1, of: policy.steps.count, policy: policy.name).note
        if escalation.silenced { note = "silence over; " + note }
        if firing.pass > 0 { note += ", repeat \(firing.pass) of \(policy.repeatCount)" }
        if !nobodyOnCall.isEmpty { note += "; nobody on call in \(nobodyOnCall.joined(separator: ", "))" }
        var result = EscalationFiring(targets: targets, next: next, note: note)
        result.lag = now.timeIntervalSince(escalation.dueAt)
        if escalation.silenced { result.restartedAt = startedAt }
        result.keepForAckTimeout = next == nil && policy.ackTimeout != nil
        return result
    }

    /// Contact names with every `oncall:SCHEDULE` replaced by who is on call at `date`, in
    /// order, each once, the stored `overrides` counted. Schedules with nobody on call are added
    /// to `unstaffed`.
    public func resolve(_ names: [String], at date: Date, overrides: [ScheduleOverride] = [], unstaffed: inout [String]) -> [String] {
        var people: [String] = []
        for name in names {
            var found = [name]
            if let scheduleName = OnCallTarget.scheduleName(name) {
                found = schedules[scheduleName]?.adding(overrides).onCall(at: date) ?? []
                if found.isEmpty { unstaffed.append(scheduleName) }
            }
            for person in found where !people.contains(person) { people.append(person) }
        }
        return people
    }
}
