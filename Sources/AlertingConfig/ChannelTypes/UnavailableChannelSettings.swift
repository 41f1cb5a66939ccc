import Alerting

/// A channel whose `${VARIABLE}` is not set (``ConfigLoader/deferUnsetSecrets``): every other
/// command works, and a delivery through it fails permanently with ``reason``, so the timeline
/// says why and escalation falls back.
public struct UnavailableChannelSettings: ChannelSettings, Hashable {
    public var reason: String

    public init(reason: String) {
        self.reason = reason
    }

    public var summary: [String] { ["UNAVAILABLE: \(reason)"] }

    public func makeChannel(_ context: ChannelContext) throws -> any Alerting.Channel {
        UnavailableChannel(name: context.name, capabilities: context.capabilities, reason: reason)
    }
}
