/// A link shown with an alert (a runbook, a dashboard).
public struct Link: Sendable, Codable, Hashable {
    public var href: String
    public var text: String?

    public init(href: String, text: String? = nil) {
        self.href = href
        self.text = text
    }
}
