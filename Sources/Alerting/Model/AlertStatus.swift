/// Where an alert is in its life.
public enum AlertStatus: String, Sendable, Codable, CaseIterable {
    case triggered, acknowledged, resolved

    /// Triggered and acknowledged alerts are open: a trigger with their key updates them.
    public var isOpen: Bool { self != .resolved }
}
