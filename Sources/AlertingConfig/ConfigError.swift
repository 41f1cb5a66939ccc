import Alerting
/// A problem with the configuration, naming where it is: `channels.ops.webhook_url: missing`.
///
/// Never carries a secret: messages name keys and variables, not their values.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file, when the config came from one.
    public var file: String?
    /// The key path (`routes[1].notify[0]`); empty for the whole document.
    public var path: String
    /// The line in the file, when known.
    public var line: Int?
    public var message: String
    /// The other problems found in the same file, in line order (a config is checked whole).
    public var more: [ConfigError] = []

    /// This problem and the others found with it, in line order.
    public var all: [ConfigError] {
        var first = self
        first.more = []
        return [first] + more
    }

    public init(file: String? = nil, path: String, line: Int? = nil, _ message: String) {
        self.file = file
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String {
        var location = ""
        if let file { location += file + (line.map { ":\($0)" } ?? "") + ": " } else if let line { location += "line \(line): " }
        return location + (path.isEmpty ? "" : path + ": ") + message
    }
}
