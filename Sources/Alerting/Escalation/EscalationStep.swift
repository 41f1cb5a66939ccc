import Foundation

/// One step of a policy as the timeline names it when the step fires ("step 2 of 3 of policy
/// db-failover"). The timeline is the record of which step fired; `notify list` and `show` read
/// the step back from it, so the words are written and read here alone.
public struct EscalationStep: Sendable, Hashable, Encodable {
    /// 1-based.
    public var number: Int
    public var of: Int
    public var policy: String

    public init(number: Int, of: Int, policy: String) {
        self.number = number
        self.of = of
        self.policy = policy
    }

    public var note: String { "step \(number) of \(of) of policy \(policy)" }

    /// The step named in a timeline note, wherever it stands in it ("silence over; step 1 of
    /// 2 of policy db, repeat 1 of 2"); nil when the note names none.
    public init?(note: String) {
        guard let range = note.range(of: #"step \d+ of \d+ of policy [^,;]+"#, options: .regularExpression) else { return nil }
        let words = note[range].split(separator: " ", maxSplits: 6)
        guard words.count == 7, let number = Int(words[1]), let of = Int(words[3]) else { return nil }
        self.init(number: number, of: of, policy: String(words[6]))
    }
}
