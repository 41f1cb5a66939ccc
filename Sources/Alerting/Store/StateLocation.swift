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

    /// The store for a resolved location.
    public static func openStore(at path: String) throws -> any AlertStore {
        path == inMemory ? MemoryAlertStore() : try SQLiteAlertStore(path: path)
    }
}
