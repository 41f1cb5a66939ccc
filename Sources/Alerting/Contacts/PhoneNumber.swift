/// A phone number in E.164 form: `+`, then 8 to 15 digits, the first not 0.
///
/// Stored with the plus; gateways that want digits only (Vonage, Plivo, MessageBird) use
/// ``digits``.
public struct PhoneNumber: Sendable, Hashable, CustomStringConvertible {
    public let e164: String

    public init?(_ text: String) {
        let utf8 = text.utf8
        guard utf8.first == UInt8(ascii: "+") else { return nil }
        let digits = utf8.dropFirst()
        guard (8...15).contains(digits.count), digits.first != UInt8(ascii: "0"), digits.allSatisfy(ASCII.isDigit) else { return nil }
        e164 = text
    }

    /// The number without its plus: `14155552671`.
    public var digits: String { String(e164.dropFirst()) }

    public var description: String { e164 }

    public static let rule = "an E.164 number: + then 8 to 15 digits, no spaces (e.g. +14155552671)"
}
