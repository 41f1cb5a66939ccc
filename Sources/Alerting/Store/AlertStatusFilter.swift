/// The statuses a person asks for by one word: `notify list --status` and the console's filter.
public enum AlertStatusFilter: String, CaseIterable, Sendable {
    case open, triggered, acknowledged, resolved, all

    public var statuses: Set<AlertStatus> {
        switch self {
        case .triggered: [.triggered]
        case .acknowledged: [.acknowledged]
        case .resolved: [.resolved]
        case .open: [.triggered, .acknowledged]
        case .all: Set(AlertStatus.allCases)
        }
    }
}
