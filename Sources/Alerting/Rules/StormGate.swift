import Foundation

/// Storm control's rules: past ``StormControl/maxNewAlerts`` different alerts paging one
/// contact within the window, further pages are held and go out later as one digest. Run in
/// the caller's transaction, so several processes count one contact's pages together and a
/// held page survives a restart.
public enum StormGate {
    /// Whether a page of `alertID` to `contact` goes now, or is held for the contact's digest.
    /// Sends when the alert already paged them within the window, or fewer than the cap did;
    /// holds when a digest is already gathering for them, or the window is full.
    public static func admit(contact: String, alertID: Int64, channel: String, at now: Date, storm: StormControl,
                             in transaction: any StoreTransaction) throws -> StormAdmission {
        try transaction.lockLedger(.storm(contact: contact))
        try transaction.deleteContactPages(contact: contact, notAfter: now - storm.window.timeInterval)
        if let digestAt = try transaction.heldPages(contact: contact).map(\.digestAt).min() {
            // A digest is gathering for them: this joins it (once), so alerts keep their order.
            try transaction.insertHeldPage(HeldPage(contact: contact, alertID: alertID, channel: channel, at: now, digestAt: digestAt))
            return .held(digestAt: digestAt)
        }
        let pages = try transaction.contactPages(contact: contact)
        if pages.contains(where: { $0.alertID == alertID }) { return .send }
        if Set(pages.map(\.alertID)).count < storm.maxNewAlerts {
            try transaction.insertContactPage(ContactPage(contact: contact, alertID: alertID, at: now))
            return .send
        }
        let digestAt = now + storm.digestWait.timeInterval
        try transaction.insertHeldPage(HeldPage(contact: contact, alertID: alertID, channel: channel, at: now, digestAt: digestAt))
        return .held(digestAt: digestAt)
    }

    /// Turns each contact's held pages whose digest is due into one outbox item: the newest
    /// alert still triggered, carrying the others (acknowledged or resolved ones are dropped).
    /// Returns how many digests were queued.
    public static func flushDigests(at now: Date, in transaction: any StoreTransaction) throws -> Int {
        var queued = 0
        for contact in try transaction.contactsWithDigestDue(at: now) {
            try transaction.lockLedger(.storm(contact: contact))
            let held = try transaction.heldPages(contact: contact).compactMap { page in
                try transaction.alert(id: page.alertID).flatMap { $0.status == .triggered ? (page, $0) : nil }
            }
            try transaction.deleteHeldPages(contact: contact)
            guard let first = held.first, let newest = held.last else { continue }
            _ = try transaction.insertOutbox(OutboxItem(id: 0, alertID: newest.0.alertID, target: OutboxTarget(channel: first.0.channel, recipient: contact),
                                                        position: nil, action: .trigger, createdAt: now, digestOf: held.dropLast().map(\.0.alertID)))
            for (page, _) in held { try transaction.insertContactPage(ContactPage(contact: contact, alertID: page.alertID, at: now)) }
            queued += 1
        }
        return queued
    }
}
