import Foundation
import GRDB

/// Storm control in the state file: `contact_pages` counts which alerts paged whom, and
/// `storm_held` keeps held pages until their digest is queued.
extension SQLiteAlertStore {
    public func admitPage(contact: String, alertID: Int64, channel: String, at now: Date, storm: StormControl) async throws -> StormAdmission {
        try await pool.write { db in
            let windowStart = (now - storm.window.timeInterval).timeIntervalSince1970
            try db.execute(sql: "DELETE FROM contact_pages WHERE contact = ? AND at <= ?", arguments: [contact, windowStart])
            if let digestAt = try Double.fetchOne(db, sql: "SELECT MIN(digest_at) FROM storm_held WHERE contact = ?", arguments: [contact]) {
                // A digest is gathering for them: this joins it (once), so alerts keep their order.
                try db.execute(sql: "INSERT OR IGNORE INTO storm_held (contact, alert_id, channel, at, digest_at) VALUES (?, ?, ?, ?, ?)",
                               arguments: [contact, alertID, channel, now.timeIntervalSince1970, digestAt])
                return .held(digestAt: Date(timeIntervalSince1970: digestAt))
            }
            let alreadyPaged = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM contact_pages WHERE contact = ? AND alert_id = ?)", arguments: [contact, alertID]) ?? false
            if alreadyPaged { return .send }
            let recent = try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT alert_id) FROM contact_pages WHERE contact = ?", arguments: [contact]) ?? 0
            if recent < storm.maxNewAlerts {
                try db.execute(sql: "INSERT INTO contact_pages (contact, alert_id, at) VALUES (?, ?, ?)", arguments: [contact, alertID, now.timeIntervalSince1970])
                return .send
            }
            let digestAt = now + storm.digestWait.timeInterval
            try db.execute(sql: "INSERT INTO storm_held (contact, alert_id, channel, at, digest_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [contact, alertID, channel, now.timeIntervalSince1970, digestAt.timeIntervalSince1970])
            return .held(digestAt: digestAt)
        }
    }

    public func flushStormDigests(at now: Date, storm: StormControl) async throws -> Int {
        try await pool.write { db in
            let contacts = try String.fetchAll(db, sql: "SELECT DISTINCT contact FROM storm_held WHERE digest_at <= ?", arguments: [now.timeIntervalSince1970])
            var queued = 0
            for contact in contacts {
                let held = try Row.fetchAll(db, sql: """
                    SELECT storm_held.alert_id, storm_held.channel FROM storm_held JOIN alerts ON alerts.id = storm_held.alert_id
                    WHERE storm_held.contact = ? AND alerts.status = 'triggered' ORDER BY storm_held.at, storm_held.alert_id
                    """, arguments: [contact])
                try db.execute(sql: "DELETE FROM storm_held WHERE contact = ?", arguments: [contact])
                guard let first = held.first, let newest = held.last else { continue }
                let ids: [Int64] = held.map { $0["alert_id"] }
                let others = Array(ids.dropLast())
                let digest = others.isEmpty ? nil : String(decoding: try JSONEncoder().encode(others), as: UTF8.self)
                try db.execute(sql: "INSERT INTO outbox (alert_id, channel, recipient, action, created_at, digest) VALUES (?, ?, ?, 'trigger', ?, ?)",
                               arguments: [newest["alert_id"] as Int64, first["channel"] as String, contact, now.timeIntervalSince1970, digest])
                for id in ids {
                    try db.execute(sql: "INSERT INTO contact_pages (contact, alert_id, at) VALUES (?, ?, ?)", arguments: [contact, id, now.timeIntervalSince1970])
                }
                queued += 1
            }
            return queued
        }
    }
}
