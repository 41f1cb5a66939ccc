import Alerting

/// `type: console`: messages on standard output (or wherever the runtime's console goes).
public struct ConsoleSettings: ChannelSettings, Hashable {
    public init() {}

    public func makeChannel(_ context: ChannelContext) throws -> any Alerting.Channel {
        ConsoleChannel(name: context.name, output: context.console)
    }

    public static let type = ChannelType("console", keys: []) { _ in ConsoleSettings() }
}
