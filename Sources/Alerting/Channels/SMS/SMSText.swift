/// SMS length rules: which encoding a text needs, how many segments it takes, and how to cut it
/// to fit a number of segments without breaking a character.
///
/// GSM-7 carries 160 septets in one segment, 153 per segment when concatenated; characters of
/// its extension table (`^ { } [ ] ~ \ | €` and form feed) take two. Any other character forces
/// UCS-2 for the whole message: 70 UTF-16 units, 67 per segment when concatenated; characters
/// outside the BMP (most emoji) take two units.
public enum SMSText {
    public enum Encoding: String, Sendable, Hashable {
        case gsm7 = "GSM-7"
        case ucs2 = "UCS-2"
    }

    public static func encoding(of text: String) -> Encoding {
        text.unicodeScalars.allSatisfy { gsmBasic.contains($0) || gsmExtension.contains($0) } ? .gsm7 : .ucs2
    }

    /// Segments `text` takes (0 for empty text).
    public static func segmentCount(_ text: String) -> Int {
        let encoding = encoding(of: text)
        let units = text.map { cost(of: $0, in: encoding) }
        let total = units.reduce(0, +)
        if total == 0 { return 0 }
        if total <= singleCapacity(encoding) { return 1 }
        // Concatenated: a character never straddles two segments (a GSM escape pair or a UTF-16
        // surrogate pair stays whole), so fill greedily.
        let capacity = multiCapacity(encoding)
        var segments = 1
        var used = 0
        for unit in units {
            if used + unit > capacity {
                segments += 1
                used = 0
            }
            used += unit
        }
        return segments
    }

    /// `text` if it fits in `maxSegments`, else its longest prefix (whole characters) that fits
    /// with an ellipsis after it: `...` in GSM-7, `…` in UCS-2, so the cut never changes the
    /// encoding.
    public static func fit(_ text: String, maxSegments: Int) -> String {
        let maxSegments = max(1, maxSegments)
        if segmentCount(text) <= maxSegments { return text }
        let encoding = encoding(of: text)
        let ellipsis = encoding == .gsm7 ? "..." : "…"
        let budget = maxSegments == 1 ? singleCapacity(encoding) : maxSegments * multiCapacity(encoding)
        let ellipsisCost = ellipsis.reduce(0) { $0 + cost(of: $1, in: encoding) }
        var kept = ""
        var used = 0
        for character in text {
            let unit = cost(of: character, in: encoding)
            if used + unit + ellipsisCost > budget { break }
            kept.append(character)
            used += unit
        }
        // Cut at a word boundary when one is near, so the message does not end in half a word.
        // Near is counted in the encoding's units, as the budget is: twenty emoji are forty
        // UCS-2 units, and backing over them would drop a whole summary.
        let nextIndex = text.index(text.startIndex, offsetBy: kept.count)
        if nextIndex < text.endIndex, text[nextIndex] != " ", let space = kept.lastIndex(of: " "),
           kept[space...].reduce(0, { $0 + cost(of: $1, in: encoding) }) <= wordBoundaryReach {
            kept = String(kept[..<space])
        }
        // Greedy per-segment filling can lose a unit or two at boundaries: trim until it fits.
        var result = trimmedEnd(kept) + ellipsis
        while segmentCount(result) > maxSegments, !kept.isEmpty {
            kept.removeLast()
            result = trimmedEnd(kept) + ellipsis
        }
        return result
    }

    /// `text` cut to leave room for `suffix`, then `suffix`: the suffix (how to acknowledge)
    /// survives the cut. When not even the suffix fits, ``fit(_:maxSegments:)`` of `text` alone.
    public static func fit(_ text: String, maxSegments: Int, keeping suffix: String) -> String {
        let maxSegments = max(1, maxSegments)
        let whole = text + suffix
        if segmentCount(whole) <= maxSegments { return whole }
        let ellipsis = encoding(of: whole) == .gsm7 ? "..." : "…"
        let characters = Array(text)
        // Longest prefix first; a page is at most a few hundred characters.
        for length in stride(from: characters.count - 1, through: 1, by: -1) {
            let candidate = trimmedEnd(String(characters[..<length])) + ellipsis + suffix
            if segmentCount(candidate) <= maxSegments { return candidate }
        }
        return fit(text, maxSegments: maxSegments)
    }

    /// Septets (GSM-7) or UTF-16 units (UCS-2) one character takes.
    static func cost(of character: Character, in encoding: Encoding) -> Int {
        switch encoding {
        case .gsm7:
            return character.unicodeScalars.reduce(0) { $0 + (gsmExtension.contains($1) ? 2 : 1) }
        case .ucs2:
            return character.utf16.count
        }
    }

    /// How far back (in septets or UTF-16 units) a cut may move to end at a word boundary.
    static let wordBoundaryReach = 20

    static func singleCapacity(_ encoding: Encoding) -> Int { encoding == .gsm7 ? 160 : 70 }
    static func multiCapacity(_ encoding: Encoding) -> Int { encoding == .gsm7 ? 153 : 67 }

    private static func trimmedEnd(_ text: String) -> String {
        var text = text
        while let last = text.last, last == " " || last == "\n" { text.removeLast() }
        return text
    }

    /// The GSM 03.38 default alphabet.
    static let gsmBasic: Set<Unicode.Scalar> = Set(
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà".unicodeScalars)

    /// The GSM 03.38 extension table: each costs an escape septet too.
    static let gsmExtension: Set<Unicode.Scalar> = Set("^{}\\[~]|€\u{0C}".unicodeScalars)
}
