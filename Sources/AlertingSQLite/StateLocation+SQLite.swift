import Alerting
import Foundation

extension StateLocation {
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
