/// The TwiML notify sends with a call: the alert said twice with a pause, and, when notify has a
/// public address, a one-digit menu: 4 acknowledges, 6 resolves (handled by `notify serve`).
public enum TwiML {
    /// Twilio's limit for inline `Twiml`.
    public static let maxLength = 4000
    public static let acknowledgeDigit = "4"
    public static let resolveDigit = "6"

    public static func alertCall(text: String, gatherURL: String?) -> String {
        var spoken = text
        while true {
            let document = build(text: spoken, gatherURL: gatherURL)
            if document.count <= maxLength || spoken.isEmpty { return document }
            // Too long for Twilio: shorten what is said, never the menu.
            spoken = String(spoken.prefix(max(0, spoken.count - max(16, document.count - maxLength))))
        }
    }

    /// `{base}/twilio/voice/gather?alert=ID`
    public static func gatherURL(base: String, alertID: Int64) -> String {
        (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/twilio/voice/gather?alert=\(alertID)"
    }

    static func build(text: String, gatherURL: String?) -> String {
        let said = "<Say>\(escape(text))</Say><Pause length=\"1\"/><Say>\(escape(text))</Say>"
        var document = #"<?xml version="1.0" encoding="UTF-8"?><Response>"#
        if let gatherURL {
            document += #"<Gather numDigits="1" timeout="10" action="\#(escape(gatherURL))" method="POST">"#
            document += said
            document += "<Say>Press \(acknowledgeDigit) to acknowledge, or \(resolveDigit) to resolve.</Say></Gather>"
            document += "<Say>No input received. Goodbye.</Say>"
        } else {
            document += said
        }
        return document + "<Hangup/></Response>"
    }

    /// XML escaping for text and attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                // Control characters other than tab and newline are not allowed in XML 1.0.
                if let scalar = character.unicodeScalars.first, character.unicodeScalars.count == 1,
                   scalar.value < 0x20, scalar != "\t", scalar != "\n", scalar != "\r" {
                    out += " "
                } else {
                    out.append(character)
                }
            }
        }
        return out
    }
}
