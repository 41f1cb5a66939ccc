import Foundation

/// A stored silence notify cannot read: it silences nothing (better a page than a miss), and
/// whoever reads it says so.
public struct UnreadableSilence: Sendable, Hashable, CustomStringConvertible {
    public var id: Int64
    public var reason: String

    public var description: String { "silence #\(id) is unreadable and silences nothing: \(reason)" }
}

/// Silences in the store, written once over the seam.
extension AlertStore {
    /// Stores a silence and returns it with its id.
    public func addSilence(_ silence: Silence) async throws -> Silence {
        let row = SilenceRow(id: 0, matchers: silence.matchers.map(\.description), startsAt: silence.startsAt, endsAt: silence.endsAt,
                             comment: silence.comment, createdBy: silence.createdBy)
        var stored = silence
        stored.id = try await write { try $0.insertSilence(row) }
        return stored
    }

    /// Silences not yet over at `date` (active or to come), oldest first; all of them with nil.
    /// Unreadable ones are left out; ``silenceReadings(notEndedAt:)`` names them.
    public func silences(notEndedAt date: Date?) async throws -> [Silence] {
        try await silenceReadings(notEndedAt: date).silences
    }

    /// The silences not yet over at `date`, and the stored ones that cannot be read.
    public func silenceReadings(notEndedAt date: Date?) async throws -> (silences: [Silence], unreadable: [UnreadableSilence]) {
        try await read { try SilenceReadings.read(notEndedAt: date, in: $0) }
    }

    /// Ends a silence now. False when there is no such silence or it was already over.
    public func expireSilence(id: Int64, at now: Date) async throws -> Bool {
        try await write { transaction in
            guard var silence = try transaction.silence(id: id, forUpdate: true), silence.endsAt > now else { return false }
            silence.endsAt = max(now, silence.startsAt)
            try transaction.updateSilence(silence)
            return true
        }
    }
}

/// Stored silences parsed, inside any transaction: an unreadable one silences nothing and is
/// named, never widened to "everything".
enum SilenceReadings {
    static func read(notEndedAt date: Date?, in transaction: any StoreTransaction) throws -> (silences: [Silence], unreadable: [UnreadableSilence]) {
        let rows = try transaction.silences(endingAfter: date)
        var silences: [Silence] = []
        var unreadable: [UnreadableSilence] = []
        for row in rows {
            do {
                let matchers = try row.matchers.map { text in
                    do { return try RouteMatcher.parse(text) } catch { throw UnreadableSilence(id: row.id, reason: "matcher \"\(text)\": \(error)") }
                }
                guard !matchers.isEmpty else { throw UnreadableSilence(id: row.id, reason: "it has no matcher") }
                silences.append(try Silence(id: row.id, matchers: matchers, startsAt: row.startsAt, endsAt: row.endsAt, comment: row.comment, createdBy: row.createdBy))
            } catch let error as UnreadableSilence {
                unreadable.append(error)
            }
        }
        return (silences, unreadable)
    }
}

extension UnreadableSilence: Error {}
