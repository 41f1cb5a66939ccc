/// "If nobody acknowledges in 5 minutes, text Alice; 10 minutes later, call her; then call Bob."
///
/// Steps fire at `after` from the start of a pass. With `repeat: N` the whole policy runs N more
/// times, each pass starting `repeatAfter` after the previous one. Acknowledging stops it;
/// with `ackTimeout`, an alert acknowledged and not resolved in time triggers again and the
/// policy starts over (PagerDuty's acknowledgement timeout).
public struct EscalationPolicy: Sendable, Hashable {
    public struct Step: Sendable, Hashable {
        public var after: Duration
        public var targets: [RouteTarget]

        public init(after: Duration, targets: [RouteTarget]) {
            self.after = after
            self.targets = targets
        }
    }

    public var name: String
    /// In firing order (`after` ascending).
    public var steps: [Step]
    /// Extra passes over all steps: 0 to 9.
    public var repeatCount: Int
    /// From the start of one pass to the start of the next.
    public var repeatAfter: Duration
    public var ackTimeout: Duration?

    public init(name: String, steps: [Step], repeatCount: Int = 0, repeatAfter: Duration? = nil, ackTimeout: Duration? = nil) {
        self.name = name
        self.steps = steps.sorted { $0.after < $1.after }
        self.repeatCount = min(max(repeatCount, 0), 9)
        self.repeatAfter = repeatAfter ?? Self.defaultRepeatAfter(self.steps)
        self.ackTimeout = ackTimeout
    }

    /// A route's plain `notify:` list: one step, at once, no repeat.
    public static func immediate(name: String, targets: [RouteTarget]) -> EscalationPolicy {
        EscalationPolicy(name: name, steps: [Step(after: .zero, targets: targets)])
    }

    /// The last step's delay plus 5 minutes: the last step gets as long to work as the gap
    /// notify allows by default before starting over.
    static func defaultRepeatAfter(_ steps: [Step]) -> Duration {
        (steps.last?.after ?? .zero) + .seconds(300)
    }

    /// How many firings the policy makes in all.
    public var firingCount: Int { steps.count * (repeatCount + 1) }

    /// The step fired at `position` (0-based across passes) and when, from the escalation's start.
    public func firing(at position: Int) -> (step: Int, pass: Int, offset: Duration)? {
        guard !steps.isEmpty, position >= 0, position < firingCount else { return nil }
        let pass = position / steps.count
        let step = position % steps.count
        return (step, pass, repeatAfter * pass + steps[step].after)
    }
}
