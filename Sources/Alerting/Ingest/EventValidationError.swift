/// Why an input could not become an event: every problem found, each naming its field.
///
/// Prints as `line 12: field "severity": "urgent" is not one of critical, error, warning, info`.
public struct EventValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// One thing wrong with the input.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        /// The field's path (`payload.severity`), or nil when the whole input is at fault.
        public var field: String?
        public var message: String

        public init(field: String?, _ message: String) {
            self.field = field
            self.message = message
        }

        public var description: String {
            guard let field else { return message }
            return "field \"\(field)\": \(message)"
        }
    }

    /// The 1-based line of the stream, when the input came from a stream.
    public var line: Int?
    public var problems: [Problem]

    public init(line: Int? = nil, problems: [Problem]) {
        self.line = line
        self.problems = problems
    }

    public var description: String {
        let text = problems.map(\.description).joined(separator: "; ")
        guard let line else { return text }
        return "line \(line): \(text)"
    }
}
