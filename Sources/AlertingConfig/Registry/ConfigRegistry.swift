import Alerting

/// The channel types and detectors a config file can name, by name. ``standard`` holds notify's
/// own; register yours on a copy and hand it to ``ConfigLoader/init(registry:environment:deferUnsetSecrets:)``
/// (or to `Notify.main(registry:)` in NotifyCLI, to run notify's command line with them).
public struct ConfigRegistry: Sendable {
    /// In the order registered: the order an error lists them in.
    public private(set) var channelTypes: [ChannelType] = []
    public private(set) var detectorTypes: [DetectorType] = []

    /// An empty registry; ``standard`` has the built-in types.
    public init() {}

    /// A type registered again replaces the earlier one (keeping its place).
    public mutating func register(_ type: ChannelType) {
        if let index = channelTypes.firstIndex(where: { $0.name == type.name }) { channelTypes[index] = type } else { channelTypes.append(type) }
    }

    public mutating func register(_ type: DetectorType) {
        if let index = detectorTypes.firstIndex(where: { $0.name == type.name }) { detectorTypes[index] = type } else { detectorTypes.append(type) }
    }

    public func channelType(named name: String) -> ChannelType? {
        channelTypes.first { $0.name == name }
    }

    public func detectorType(named name: String) -> DetectorType? {
        detectorTypes.first { $0.name == name }
    }

    /// notify's own channel types and detectors.
    public static let standard: ConfigRegistry = {
        var registry = ConfigRegistry()
        for type in BuiltInChannelTypes.all { registry.register(type) }
        registry.register(ContinuousFailureDetector.configType)
        return registry
    }()
}
