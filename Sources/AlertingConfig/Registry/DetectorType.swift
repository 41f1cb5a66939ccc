import Alerting

/// A detector a config file can turn on under `detectors:` (`detectors: {NAME: {...}}`), read
/// from its section into a ``Detector`` value. `continuous_failure` is registered this way, as
/// yours would be.
public struct DetectorType: Sendable {
    /// Its key under `detectors:`.
    public var name: String
    /// Reads its section into the detector (check keys with ``ConfigNode/checkKeys(allowed:)``).
    public var read: @Sendable (ConfigNode) throws -> any Detector

    public init(_ name: String, read: @escaping @Sendable (ConfigNode) throws -> any Detector) {
        self.name = name
        self.read = read
    }
}
