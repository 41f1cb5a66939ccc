import Foundation

public enum AlertStoreError: Error, Sendable, CustomStringConvertible {
    case inconsistent(String)

    public var description: String {
        switch self {
        case .inconsistent(let why): "alert store is inconsistent: \(why)"
        }
    }
}
