import Foundation

/// "An environment keeps failing": `threshold` failure events (health checks, by default)
/// within `window`, grouped `per` environment (or source), raise one `continuous_failure`
/// alert for the group; it resolves once no failure has been seen for `quietPeriod`.
public struct ContinuousFailureDetector: Detector, Hashable {
    /// The kind of event counted.
    public var kind: AlertKind
    public var threshold: Int
    public var window: Duration
    /// Grouping: `.environment` or `.source`.
    public var per: MatchField
    public var quietPeriod: Duration
    public var severity: Severity
    /// Whether failures recorded while a silence matched them count. By default they do not:
    /// the silence was for planned work, and its failures must not page through the detector.
    public var countSilenced = false

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

    /// - Parameter sources: the failing sources, most failures first: the person paged reads
    ///   which hosts, not only how many.
    func event(group: String?, count: Int, sources: [String] = []) -> AlertEvent {
        var summary = "\(count) \(kind) events in \(per) \(group ?? "-") within \(DurationParser.format(window))"
        if !sources.isEmpty, per != .source {
            let named = sources.prefix(Self.sourcesNamed).joined(separator: ", ")
            summary += ", from \(named)" + (sources.count > Self.sourcesNamed ? " and \(sources.count - Self.sourcesNamed) more" : "")
        }
        var details: [String: JSONValue] = ["threshold": .int(Int64(threshold)), "window_seconds": .int(Int64(window.timeInterval)), "counted_kind": .string(kind.rawValue)]
        if !sources.isEmpty { details["sources"] = .array(sources.map { .string($0) }) }
        return AlertEvent(
            kind: .continuousFailure, severity: severity,
            environment: per == .environment ? group : nil, source: per == .source ? group : nil,
            summary: summary, dedupKey: dedupKey(group: group), details: details)
    }

    /// How many sources the summary names; `details.sources` has them all.
    static let sourcesNamed = 5

    /// Raises the alert of each group the recorded failures pushed over the threshold (once:
    /// not while the group's alert is open).
    public func react(to transitions: [AlertTransition], context: DetectorContext, in transaction: any StoreTransaction) throws -> [AlertEvent] {
        let now = context.now
        var groups: [String?] = []
        for transition in transitions where transition.event.action == .trigger && transition.event.kind == kind {
            let group = transition.alert.flatMap { per.value(of: $0) }
            if !groups.contains(group) { groups.append(group) }
        }
        var raised: [AlertEvent] = []
        for group in groups where try transaction.openAlert(dedupKey: dedupKey(group: group)) == nil {
            let found = try failures(group: group, since: now - window.timeInterval, in: transaction)
            guard found.count >= threshold else { continue }
            var perSource: [String: Int] = [:]
            for failure in found { if let source = failure.source { perSource[source, default: 0] += 1 } }
            let sources = perSource.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key)
            raised.append(event(group: group, count: found.count, sources: sources))
        }
        return raised
    }

    /// Resolves the alerts of groups quiet for `quietPeriod`: no failure at all in the period,
    /// or the latest one exactly that old.
    public func check(_ context: DetectorContext, in transaction: any StoreTransaction) throws -> [AlertEvent] {
        let now = context.now
        var resolves: [AlertEvent] = []
        for alert in try transaction.alerts(statuses: [.triggered, .acknowledged])
        where alert.kind == .continuousFailure && alert.dedupKey.hasPrefix("continuous_failure/") {
            let recent = try failures(group: per.value(of: alert), since: now - quietPeriod.timeInterval, in: transaction)
            guard recent.allSatisfy({ now.timeIntervalSince($0.at) >= quietPeriod.timeInterval }) else { continue }
            resolves.append(AlertEvent(kind: .continuousFailure, action: .resolve, dedupKey: alert.dedupKey,
                                       note: "no \(kind) for \(DurationParser.format(quietPeriod))"))
        }
        return resolves
    }

    /// When the group's failures were recorded since `date`: each trigger of `kind` that opened
    /// or repeated an alert of the group.
    func failures(group: String?, since date: Date, in transaction: any StoreTransaction) throws -> [(at: Date, source: String?)] {
        try transaction.logEntries(kind: kind, since: date).compactMap { alert, entry in
            guard entry.action == .trigger, entry.change == .opened || entry.change == .deduplicated,
                  countSilenced || !entry.silenced, per.value(of: alert) == group else { return nil }
            return (entry.at, alert.source)
        }
    }
}
