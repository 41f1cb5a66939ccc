import Foundation

/// Silences people added (`notify silence add`); maintenance windows from the config are not stored.
public protocol SilenceRows: AnyObject {
    /// Stores a new silence (its `id` is ignored) and returns its id.
    func insertSilence(_ silence: SilenceRow) throws -> Int64
    /// `forUpdate`: locked until the transaction ends.
    func silence(id: Int64, forUpdate: Bool) throws -> SilenceRow?
    /// Silences whose end is after `date` (all with nil), by id.
    func silences(endingAfter date: Date?) throws -> [SilenceRow]
    func updateSilence(_ silence: SilenceRow) throws
}

extension SilenceRows {
    /// The silence, read without a lock.
    public func silence(id: Int64) throws -> SilenceRow? { try silence(id: id, forUpdate: false) }
}
