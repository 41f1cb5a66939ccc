/// What an event asks for, with PagerDuty Events v2 semantics.
public enum EventAction: String, Sendable, Codable, CaseIterable {
    /// Open an alert, or update the open alert with the same dedup key (without paging again).
    case trigger
    /// Mark the open alert as seen by a person; it stops escalating.
    case acknowledge
    /// Close the alert; the next trigger with the same key opens a new one.
    case resolve

    public static var allowedValues: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
