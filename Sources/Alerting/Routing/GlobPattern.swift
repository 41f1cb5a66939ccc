#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A shell-style pattern (`prod-*`, `db-?`, `[ab]-east`), matched by the C library's `fnmatch`.
public struct GlobPattern: Sendable, Hashable, CustomStringConvertible {
    public let pattern: String
    /// True when the pattern has no wildcard, so matching is a plain comparison.
    private let isLiteral: Bool

    public init(_ pattern: String) {
        self.pattern = pattern
        self.isLiteral = !pattern.contains(where: { "*?[\\".contains($0) })
    }

    public func matches(_ text: String) -> Bool {
        if isLiteral { return text == pattern }
        return fnmatch(pattern, text, 0) == 0
    }

    public var description: String { pattern }
}
