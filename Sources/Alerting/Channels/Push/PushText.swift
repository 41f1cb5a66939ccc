/// A push notification's text as the `push` templates write it: the first line is the title,
/// the rest the message.
public struct PushText: Sendable, Hashable {
    public var title: String
    public var message: String

    public init(rendered: String) {
        let trimmed = rendered.trimmingCharacters(in: .newlines)
        if let newline = trimmed.firstIndex(of: "\n") {
            title = String(trimmed[..<newline])
            message = String(trimmed[trimmed.index(after: newline)...]).trimmingCharacters(in: .newlines)
        } else {
            title = ""
            message = trimmed
        }
        if message.isEmpty { message = title }
    }

    /// `text` cut to `limit` characters, ending in an ellipsis when cut.
    static func cut(_ text: String, to limit: Int) -> String {
        text.count > limit ? String(text.prefix(limit - 1)) + "…" : text
    }
}
