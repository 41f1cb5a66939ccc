import Alerting
import AlertingConfig
/// What a person texts back to a page. The grammar, case-insensitive, spaces around ignored:
///
///     4 | ack | a | acknowledge  [ [#]ID ]     acknowledge
///     6 | resolve | res | r | close  [ [#]ID ]   resolve
///
/// Without an id it applies to the last alert sent to that number. Anything else gets the help.
public struct ReplyCommand: Sendable, Hashable {
    public enum Action: Sendable, Hashable {
        case acknowledge, resolve
    }

    public var action: Action
    /// Nil: the last alert sent to the sender.
    public var alertID: Int64?

    public init(action: Action, alertID: Int64? = nil) {
        self.action = action
        self.alertID = alertID
    }

    public static let help = "Reply 4 or ACK to acknowledge, 6 or RESOLVE to resolve; add the alert number (ACK 123) for one that is not the last."

    public static func parse(_ text: String) -> ReplyCommand? {
        let words = text.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
        guard let verb = words.first, words.count <= 2 else { return nil }
        let action: Action
        switch verb {
        case "4", "ack", "a", "acknowledge", "ack.": action = .acknowledge
        case "6", "resolve", "res", "r", "close", "resolved": action = .resolve
        default: return nil
        }
        guard words.count == 2 else { return ReplyCommand(action: action) }
        var number = words[1]
        if number.hasPrefix("#") { number = number.dropFirst() }
        guard let id = Int64(number), id > 0 else { return nil }
        return ReplyCommand(action: action, alertID: id)
    }
}
