import Foundation

/// Each heartbeat's last beat.
public protocol HeartbeatRows: AnyObject {
    /// `forUpdate`: locked until the transaction ends.
    func beat(name: String, forUpdate: Bool) throws -> BeatRow?
    func saveBeat(_ beat: BeatRow) throws
}

extension HeartbeatRows {
    /// The beat, read without a lock.
    public func beat(name: String) throws -> BeatRow? { try beat(name: name, forUpdate: false) }
}
