/// How urgent an alert is. The four levels of PagerDuty Events v2, most urgent first.
public enum Severity: String, Sendable, Codable, CaseIterable, Comparable {
    case critical, error, warning, info

    /// A rank where 0 is the most urgent, for ordering and comparisons.
    public var rank: Int {
        switch self {
        case .critical: 0
        case .error: 1
        case .warning: 2
        case .info: 3
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank > rhs.rank }

    /// `critical, error, warning, info`: for error messages that list the allowed values.
    public static var allowedValues: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
