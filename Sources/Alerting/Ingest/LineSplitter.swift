/// Splits a byte stream into numbered lines as chunks arrive, so each line is processed as soon
/// as its newline is read. Lines longer than the limit are reported, not buffered without end.
public struct LineSplitter: Sendable {
    public enum Line: Sendable, Hashable {
        /// A complete line without its `\n` (and without a trailing `\r`).
        case text(number: Int, bytes: [UInt8])
        /// A line longer than the limit; its bytes were dropped.
        case tooLong(number: Int, limit: Int)
    }

    public let maxLineBytes: Int
    private var pending: [UInt8] = []
    private var overflowing = false
    private var lineNumber = 0

    public init(maxLineBytes: Int = EventLimits().maxLineBytes) {
        self.maxLineBytes = maxLineBytes
    }

    /// The lines completed by this chunk.
    public mutating func feed(_ chunk: some Collection<UInt8>) -> [Line] {
        var lines: [Line] = []
        var start = chunk.startIndex
        while let newline = chunk[start...].firstIndex(of: 0x0A) {
            appendPending(chunk[start..<newline])
            lines.append(finishLine())
            start = chunk.index(after: newline)
        }
        appendPending(chunk[start...])
        return lines
    }

    /// The last line, when the stream ended without a newline.
    public mutating func finish() -> Line? {
        guard !pending.isEmpty || overflowing else { return nil }
        return finishLine()
    }

    private mutating func appendPending(_ bytes: some Collection<UInt8>) {
        guard !overflowing else { return }
        if pending.count + bytes.count > maxLineBytes {
            overflowing = true
            pending = []
        } else {
            pending.append(contentsOf: bytes)
        }
    }

    private mutating func finishLine() -> Line {
        lineNumber += 1
        defer {
            pending = []
            overflowing = false
        }
        if overflowing { return .tooLong(number: lineNumber, limit: maxLineBytes) }
        if pending.last == 0x0D { pending.removeLast() }
        return .text(number: lineNumber, bytes: pending)
    }
}
