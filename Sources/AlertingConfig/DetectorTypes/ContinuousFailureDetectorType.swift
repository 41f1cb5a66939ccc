import Alerting

extension ContinuousFailureDetector {
    /// `detectors: {continuous_failure: {kind, threshold, window, per, quiet, severity, count_silenced}}`.
    public static let configType = DetectorType("continuous_failure") { node in
        try node.checkKeys(allowed: ["kind", "threshold", "window", "per", "quiet", "severity", "count_silenced"])
        var detector = ContinuousFailureDetector()
        if let kindNode = try node.optional("kind") {
            let text = try kindNode.string()
            guard let kind = AlertKind(rawValue: text) else { throw kindNode.error("\(quoted(text)) is not \(AlertKind.namingRule)") }
            detector.kind = kind
        }
        if let value = try node.optional("threshold") { detector.threshold = try value.int(in: 1...10_000) }
        if let value = try node.optional("count_silenced") { detector.countSilenced = try value.bool() }
        if let value = try node.optional("window") { detector.window = try value.positiveDuration() }
        if let value = try node.optional("quiet") { detector.quietPeriod = try value.positiveDuration() }
        if let perNode = try node.optional("per") {
            switch try perNode.string() {
            case "environment": detector.per = .environment
            case "source": detector.per = .source
            default: throw perNode.error("expected environment or source")
            }
        }
        if let severityNode = try node.optional("severity") { detector.severity = try severityNode.severity() }
        return detector
    }
}

extension ContinuousFailureDetector: CustomStringConvertible {
    /// What `notify config check` says of it.
    public var description: String {
        "\(threshold) \(kind) alerts per \(per) within \(DurationParser.format(window)), quiet \(DurationParser.format(quietPeriod)), \(severity.rawValue)"
            + (countSilenced ? ", counting silenced ones" : "")
    }
}
