import Foundation

/// Where notify keeps its state: `--state PATH`, else `$NOTIFY_STATE`, else `state:` in the
/// config, else `$XDG_STATE_HOME/notify/state.db`, else `~/.local/state/notify/state.db`.
/// `:memory:` keeps state in the process only.
public enum StateLocation {
    public static let inMemory = ":memory:"

    public static func resolve(flag: String?, environment: [String: String], configured: String?) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let fromEnvironment = environment["NOTIFY_STATE"], !fromEnvironment.isEmpty { return fromEnvironment }
        if let configured, !configured.isEmpty { return configured }
        if let xdg = environment["XDG_STATE_HOME"], !xdg.isEmpty { return xdg + "/notify/state.db" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/state/notify/state.db"
    }

    /// The location as it may be shown: a URL's password replaced by `***`.
    public static func redacted(_ location: String) -> String {
        guard let scheme = location.range(of: "://"), let at = location[scheme.upperBound...].lastIndex(of: "@") else { return location }
        let credentials = location[scheme.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return location }
        return String(location[..<colon]) + ":***" + String(location[at...])
    }
}
