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

    /// The store for a resolved location.
    public static func openStore(at path: String) throws -> any AlertStore {
        path == inMemory ? MemoryAlertStore() : try SQLiteAlertStore(path: path)
    }
}

extension StateLocation {
    /// One line for a person: what went wrong opening the state, without Foundation's
    /// error-domain dump.
    public static func describe(_ error: Error) -> String {
        if let error = error as? StateFileError { return error.reason }
        return oneLine(error)
    }

    /// `permission denied`, `read-only file system`...: the POSIX reason under a Foundation
    /// error, when there is one.
    static func oneLine(_ error: Error) -> String {
        if let cocoa = error as? CocoaError {
            switch cocoa.code {
            case .fileWriteFileExists: return "a file is in the way where a directory should be"
            case .fileWriteNoPermission, .fileReadNoPermission: return "permission denied"
            case .fileWriteVolumeReadOnly: return "read-only file system"
            case .fileWriteOutOfSpace: return "no space left on device"
            case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or directory"
            default: break
            }
        }
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code))).lowercased()
        }
        if nsError.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(nsError.code))).lowercased() }
        if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)).lowercased() }
        return "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
    }
}
