/// What happened: one of the built-in kinds, or a custom one named by the sender.
///
/// Custom kinds match `[a-z0-9_.-]{1,64}` so they are safe in template names, dedup keys and
/// metrics labels.
public struct AlertKind: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    /// The database failed over to its spare.
    public static let failover = AlertKind(unchecked: "failover")
    /// An environment keeps failing (raised by senders, or by a detector in a later release).
    public static let continuousFailure = AlertKind(unchecked: "continuous_failure")
    /// A host failed its load balancer's health checks.
    public static let healthCheckFailure = AlertKind(unchecked: "health_check_failure")

    public static let builtIn: [AlertKind] = [.failover, .continuousFailure, .healthCheckFailure]

    /// Accepts any valid kind name; returns nil when `rawValue` breaks the naming rule.
    public init?(rawValue: String) {
        guard Self.isValidName(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    private init(unchecked rawValue: String) { self.rawValue = rawValue }

    public static func isValidName(_ name: String) -> Bool {
        let utf8 = name.utf8
        guard (1...64).contains(utf8.count) else { return false }
        return utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x5F || byte == 0x2E || byte == 0x2D
        }
    }

    public static let namingRule = "failover, continuous_failure, health_check_failure, or a custom kind matching [a-z0-9_.-]{1,64}"

    /// The severity an event of this kind gets when the sender names none.
    public var defaultSeverity: Severity {
        switch self {
        case .failover, .continuousFailure: .critical
        case .healthCheckFailure: .warning
        default: .error
        }
    }

    public var description: String { rawValue }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let kind = AlertKind(rawValue: raw) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a valid kind: \(raw)")
        }
        self = kind
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
