/// A value that must never be printed, logged or echoed in an error: webhook URLs, tokens,
/// anything the config took from `${VAR}`.
///
/// Its `description` is `<redacted>`, so string interpolation, `print` and log metadata are
/// safe by construction; code that really needs the value reads ``exposedValue``.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public let exposedValue: String

    public init(_ value: String) {
        self.exposedValue = value
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}
