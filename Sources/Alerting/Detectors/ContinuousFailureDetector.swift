/// "An environment keeps failing": `threshold` failure events (health checks, by default)
/// within `window`, grouped `per` environment (or source), raise one `continuous_failure`
/// alert for the group; it resolves once no failure has been seen for `quietPeriod`.
public struct ContinuousFailureDetector: Sendable, Hashable {
    /// The kind of event counted.
    public var kind: AlertKind
    public var threshold: Int
    public var window: Duration
    /// Grouping: `.environment` or `.source`.
    public var per: MatchField
    public var quietPeriod: Duration
    public var severity: Severity

    public init(kind: AlertKind = .healthCheckFailure, threshold: Int = 3, window: Duration = .seconds(600), per: MatchField = .environment,
                quietPeriod: Duration = .seconds(900), severity: Severity = .critical) {
        self.kind = kind
        self.threshold = max(1, threshold)
        self.window = window
        self.per = per
        self.quietPeriod = quietPeriod
        self.severity = severity
    }

    public func dedupKey(group: String?) -> String { "continuous_failure/\(per)/\(group ?? "-")" }

    func event(group: String?, count: Int) -> AlertEvent {
        AlertEvent(
            kind: .continuousFailure, severity: severity,
            environment: per == .environment ? group : nil, source: per == .source ? group : nil,
            summary: "\(count) \(kind) events in \(per) \(group ?? "-") within \(DurationParser.format(window))",
            dedupKey: dedupKey(group: group),
            details: ["threshold": .int(Int64(threshold)), "window_seconds": .int(Int64(window.timeInterval)), "counted_kind": .string(kind.rawValue)])
    }
}
