/// Which templates render a channel's messages, and how values in them are escaped.
public struct TemplateSelector: Sendable, Hashable {
    public enum Format: Sendable, Hashable {
        /// Plain text; values are inserted as they are.
        case text
        /// JSON; every `{{value}}` is escaped for a JSON string, so any event text keeps it valid.
        case json
        /// JSON for Slack: values are escaped for mrkdwn (`& < >`) and then for JSON.
        case slackJSON
        /// HTML (Telegram's `parse_mode: HTML`): values are escaped for HTML (`& < > " '`).
        case html

        /// Its output must parse as JSON (checked after rendering).
        var isJSON: Bool { self == .json || self == .slackJSON }

        /// The extension before `.mustache` in template file names.
        var fileExtension: String? {
            switch self {
            case .text: nil
            case .html: "html"
            case .json, .slackJSON: "json"
            }
        }
    }

    /// The folder under `Templates/`: `slack`, `console`, `sms`.
    public var family: String
    public var format: Format

    public init(family: String, format: Format) {
        self.family = family
        self.format = format
    }

    /// Template names to try, most specific first: the kind's own, then the family default.
    func candidateNames(kind: AlertKind) -> [String] {
        let suffix = format.fileExtension.map { ".\($0)" } ?? ""
        return ["\(family)/\(kind.rawValue)\(suffix)", "\(family)/default\(suffix)"]
    }
}
