/// Parses durations written as in Go and Prometheus: `500ms`, `90s`, `5m`, `1h30m`, `2d`.
public enum DurationParser {
    public static let syntax = "a duration such as 500ms, 90s, 5m, 1h30m"

    public static func parse(_ text: String) -> Duration? {
        var total = Duration.zero
        var digits = ""
        var unit = ""
        var sawPart = false
        func flush() -> Bool {
            guard let value = Int64(digits), !unit.isEmpty else { return false }
            let seconds: Duration
            switch unit {
            case "ms": seconds = .milliseconds(value)
            case "s": seconds = .seconds(value)
            case "m": seconds = .seconds(value * 60)
            case "h": seconds = .seconds(value * 3600)
            case "d": seconds = .seconds(value * 86_400)
            default: return false
            }
            total += seconds
            digits = ""
            unit = ""
            sawPart = true
            return true
        }
        let text = ASCII.trimmed(text)
        for character in text {
            if character.isASCII, character.isNumber {
                if !unit.isEmpty { guard flush() else { return nil } }
                digits.append(character)
            } else if character.isASCII, character.isLetter {
                guard !digits.isEmpty else { return nil }
                unit.append(character)
            } else {
                return nil
            }
        }
        if text == "0" { return .zero }
        guard flush(), sawPart else { return nil }
        return total
    }

    /// The shortest way to write a duration back (`1h30m`, `500ms`).
    /// For a person reading a log line: `250ms`, `2.5s`, `1m30s`; never `2.506093046 seconds`.
    public static func brief(_ duration: Duration) -> String {
        let seconds = duration.timeInterval
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        if seconds < 60 {
            let tenths = (seconds * 10).rounded() / 10
            return tenths == tenths.rounded() ? "\(Int(tenths))s" : "\(tenths)s"
        }
        return format(.seconds(Int64(seconds.rounded())))
    }

    public static func format(_ duration: Duration) -> String {
        let parts = duration.components
        let milliseconds = parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000
        if milliseconds % 1000 != 0 { return "\(milliseconds)ms" }
        var seconds = milliseconds / 1000
        if seconds == 0 { return "0s" }
        var text = ""
        for (unit, size) in [("h", Int64(3600)), ("m", 60), ("s", 1)] where seconds >= size {
            text += "\(seconds / size)\(unit)"
            seconds %= size
        }
        return text
    }
}

import Foundation
