import Mustache

/// Escapes a value for the inside of a JSON string.
struct JSONStringContentType: MustacheContentType {
    static let name = "NOTIFY_JSON"

    func escapeText(_ text: String) -> String { Self.escape(text) }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}

/// Escapes a value for Slack mrkdwn inside a JSON string: `&`, `<`, `>` become entities (Slack
/// asks for exactly these three), then the JSON escapes apply.
package struct SlackJSONContentType: MustacheContentType {
    static let name = "NOTIFY_SLACK_JSON"

    package func escapeText(_ text: String) -> String {
        JSONStringContentType.escape(Self.escapeMrkdwn(text))
    }

    package static func escapeMrkdwn(_ text: String) -> String {
        guard text.contains(where: { $0 == "&" || $0 == "<" || $0 == ">" }) else { return text }
        return text.replacingOccurrences(of: "&", with: "&amp;")
            .replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}

/// Percent-encodes a value for a URL path or query (everything but unreserved characters).
struct URLComponentContentType: MustacheContentType {
    static let name = "NOTIFY_URL"

    func escapeText(_ text: String) -> String {
        HTTPForm.escape(text).replacingOccurrences(of: "+", with: "%20")
    }
}

enum EscapingContentTypes {
    /// Registers notify's content types with swift-mustache; its registry is global.
    static let registered: Void = {
        MustacheContentTypes.register(JSONStringContentType(), named: JSONStringContentType.name)
        MustacheContentTypes.register(SlackJSONContentType(), named: SlackJSONContentType.name)
        MustacheContentTypes.register(URLComponentContentType(), named: URLComponentContentType.name)
    }()

    /// The pragma that selects the escaping of a format, put in front of every template.
    static func pragma(for format: TemplateSelector.Format) -> String {
        switch format {
        case .text: "{{% CONTENT_TYPE: TEXT}}"
        case .json: "{{% CONTENT_TYPE: \(JSONStringContentType.name)}}"
        case .slackJSON: "{{% CONTENT_TYPE: \(SlackJSONContentType.name)}}"
        case .html: "{{% CONTENT_TYPE: HTML}}"
        }
    }
}
