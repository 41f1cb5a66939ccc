/// Size limits on incoming events. They keep one bad sender from exhausting memory or
/// producing messages no gateway will take.
public struct EventLimits: Sendable, Hashable {
    /// PagerDuty's limit for `summary`, in characters.
    public var maxSummaryLength = 1024
    /// For `dedup_key`, also PagerDuty's limit.
    public var maxDedupKeyLength = 255
    /// For `environment` and `source`.
    public var maxNameLength = 255
    /// The encoded size of `details`, in bytes.
    public var maxDetailsBytes = 64 * 1024
    /// One line of NDJSON, in bytes.
    public var maxLineBytes = 1024 * 1024

    public init() {}
}
