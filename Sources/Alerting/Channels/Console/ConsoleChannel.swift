import Foundation

/// Writes human-readable lines: for local use, the examples, and trying a config with no
/// credentials. Always delivers.
public struct ConsoleChannel: Channel {
    public let name: String
    public let template: TemplateSelector? = TemplateSelector(family: "console", format: .text)
    private let output: ConsoleOutput
    /// A line written in this process: nothing to overload, and no slot worth keeping small.
    public var capabilities: ChannelCapabilities { ChannelCapabilities(concurrency: 256) }

    /// - Parameter output: where the lines go; standard output by default.
    public init(name: String, output: ConsoleOutput = .standardOutput) {
        self.name = name
        self.output = output
    }

    public func deliver(_ notification: Notification) async -> DeliveryOutcome {
        var text = notification.body ?? "[\(notification.alert.severity.rawValue)] #\(notification.alert.id) \(notification.alert.summary)"
        if !text.hasSuffix("\n") { text += "\n" }
        output.write(text)
        return .delivered(providerID: nil)
    }
}

/// A sink for console lines. Writes are whole, so lines from concurrent deliveries never
/// interleave.
public final class ConsoleOutput: Sendable {
    private let sink: @Sendable (String) -> Void

    public init(_ sink: @escaping @Sendable (String) -> Void) {
        self.sink = sink
    }

    public func write(_ text: String) { sink(text) }

    public static let standardOutput = ConsoleOutput { text in
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Standard error: where console pages go when standard output carries a machine-readable
    /// result (`notify watch --summary json`).
    public static let standardError = ConsoleOutput { text in
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Collects what is written, for tests.
    public static func collecting() -> (ConsoleOutput, @Sendable () -> String) {
        let buffer = LockedBox("")
        return (ConsoleOutput { text in buffer.withLock { $0 += text } }, { buffer.withLock { $0 } })
    }
}
