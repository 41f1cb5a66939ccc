@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import Foundation
import XCTest

/// The store contract: every store passes the same tests, run by the same code, and a failure
/// names the store. Part one: the row verbs and the transaction itself. The rules on top of
/// them are in RuleConformanceTests.
final class StoreConformanceTests: NotifyTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    private static func alert(_ key: String, status: AlertStatus = .triggered, kind: AlertKind = .failover) -> Alert {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        var alert = AlertStateMachine.newAlert(id: 0, from: AlertEvent(kind: kind, environment: "prod", source: "db-1", summary: "s", dedupKey: key), at: now)
        alert.status = status
        return alert
    }

    func testAlertRowsRoundTripAndTheOpenOneIsFoundByKey() async throws {
        for (name, store) in try await TestStores.all() {
            let now = now
            let (first, second) = try await store.write { tx in
                (try tx.insertAlert(Self.alert("a")), try tx.insertAlert(Self.alert("b", status: .resolved)))
            }
            XCTAssertNotEqual(first, second, name)
            let (open, resolvedKey, byID) = try await store.read { tx in
                (try tx.openAlert(dedupKey: "a"), try tx.openAlert(dedupKey: "b"), try tx.alert(id: second))
            }
            XCTAssertEqual(open?.id, first, name)
            XCTAssertNil(resolvedKey, "\(name): a resolved alert is not open")
            XCTAssertEqual(byID?.status, .resolved, name)
            let statuses = try await store.read { tx in (try tx.alertStatus(id: first), try tx.alertStatus(id: 999)) }
            XCTAssertEqual(statuses.0, .triggered, name)
            XCTAssertNil(statuses.1, name)
            try await store.write { tx in
                var updated = try XCTUnwrap(tx.alert(id: first))
                updated.status = .resolved
                updated.count = 7
                updated.lastSeen = now + 60
                try tx.updateAlert(updated)
            }
            let after = try await store.read { try ($0.alert(id: first), $0.openAlert(dedupKey: "a"), $0.alerts(statuses: [.resolved]).map(\.id)) }
            XCTAssertEqual(after.0?.count, 7, name)
            XCTAssertEqual(after.0?.lastSeen, now + 60, name)
            XCTAssertNil(after.1, name)
            XCTAssertEqual(after.2, [second, first].sorted(by: >), "\(name): newest first")
        }
    }

    /// A batch reads every key's open alert at once, and a transaction reads back what it wrote
    /// a moment before (PostgreSQL keeps such writes back and sends them as one statement per
    /// table: an update of a row still kept back, a second save, must read as if sent alone).
    func testABatchReadsItsOpenAlertsAtOnceAndATransactionReadsItsOwnWrites() async throws {
        for (name, store) in try await TestStores.all() {
            let now = now
            let resolved = try await store.write { tx in try tx.insertAlert(Self.alert("gone", status: .resolved)) }
            let read = try await store.write { tx in
                let first = try tx.insertAlert(Self.alert("one"))
                var one = try XCTUnwrap(tx.openAlerts(dedupKeys: ["one", "gone", "never"], forUpdate: true).first)
                one.count = 3
                one.lastSeen = now + 30
                try tx.updateAlert(one)
                one.count = 4
                try tx.updateAlert(one)
                let second = try tx.insertAlert(Self.alert("two"))
                try tx.appendLog(AlertLogEntry(alertID: first, at: now, action: .trigger, change: .opened))
                try tx.appendLog(AlertLogEntry(alertID: first, at: now + 30, action: .trigger, change: .deduplicated))
                var step = EscalationState(alertID: second, policy: "p", route: "r", position: 0, dueAt: now + 60, startedAt: now)
                try tx.saveEscalation(step)
                step.position = 1
                try tx.saveEscalation(step)
                // Saved, deleted, saved again: there; saved, then deleted: gone.
                let other = EscalationState(alertID: first, policy: "p", route: "gone", position: 0, dueAt: now + 60, startedAt: now)
                try tx.saveEscalation(other)
                try tx.deleteEscalation(alertID: first, route: "gone")
                let item = try tx.insertOutbox(OutboxItem(id: 0, alertID: second, target: OutboxTarget(channel: "c"), position: 0, action: .trigger, createdAt: now))
                return (ids: [first, second], open: try tx.openAlerts(dedupKeys: ["one", "two", "gone"], forUpdate: false).sorted { $0.id < $1.id },
                        locked: try tx.alerts(ids: [second, first], forUpdate: true).map(\.id).sorted(),
                        log: try tx.log(alertID: first).map(\.change), steps: try tx.escalations(alertID: second).map(\.position),
                        outbox: try tx.outbox(alertID: second).map(\.item.id), item: item,
                        rows: try tx.outboxRows(ids: [item, 999_999], forUpdate: true).map(\.item.id), gone: try tx.escalations(alertID: first).count)
            }
            XCTAssertEqual(read.open.map(\.id), read.ids, "\(name): the open ones, not the resolved key's \(resolved)")
            XCTAssertEqual(read.open.first?.count, 4, "\(name): the last update of a new alert")
            XCTAssertEqual(read.open.first?.lastSeen, now + 30, name)
            XCTAssertEqual(read.locked, read.ids, name)
            XCTAssertEqual(read.log, [.opened, .deduplicated], "\(name): in the order appended")
            XCTAssertEqual(read.steps, [1], "\(name): the second save wins")
            XCTAssertEqual(read.outbox, [read.item], name)
            XCTAssertEqual(read.rows, [read.item], "\(name): the rows that exist")
            XCTAssertEqual(read.gone, 0, "\(name): saved, then deleted")
            let committed = try await store.read { tx in
                (try tx.openAlerts(dedupKeys: ["one", "two"], forUpdate: false).map(\.count).sorted(), try tx.escalations(alertID: read.ids[1]).map(\.position))
            }
            XCTAssertEqual(committed.0, [1, 4], name)
            XCTAssertEqual(committed.1, [1], name)
        }
    }

    func testATransactionThatThrowsKeepsNothing() async throws {
        struct Boom: Error {}
        for (name, store) in try await TestStores.all() {
            let now = now
            _ = try await store.write { tx in try tx.insertAlert(Self.alert("kept")) }
            do {
                _ = try await store.write { tx -> Int in
                    _ = try tx.insertAlert(Self.alert("lost"))
                    var kept = try XCTUnwrap(tx.openAlert(dedupKey: "kept"))
                    kept.count = 99
                    try tx.updateAlert(kept)
                    try tx.appendLog(AlertLogEntry(alertID: kept.id, at: now, action: .trigger, change: .deduplicated))
                    _ = try tx.insertOutbox(OutboxItem(id: 0, alertID: kept.id, target: OutboxTarget(channel: "c"), position: 0, action: .trigger, createdAt: now))
                    try tx.saveBeat(BeatRow(name: "b", lastBeat: now, firstSeen: now))
                    try tx.insertHeldPage(HeldPage(contact: "alice", alertID: kept.id, channel: "sms", at: now, digestAt: now))
                    throw Boom()
                }
                XCTFail("\(name): the body threw")
            } catch is Boom {}
            let state = try await store.read { tx in
                (try tx.openAlert(dedupKey: "lost"), try tx.openAlert(dedupKey: "kept"), try tx.claimCandidates(at: now, ownersGone: [], excludingChannels: [], limit: 10),
                 try tx.beat(name: "b"), try tx.heldPages(contact: "alice"))
            }
            XCTAssertNil(state.0, "\(name): an insert of a failed transaction is gone")
            XCTAssertEqual(state.1?.count, 1, "\(name): an update of a failed transaction is undone")
            XCTAssertEqual(state.2, [], name)
            XCTAssertNil(state.3, name)
            XCTAssertEqual(state.4, [], name)
            let log = try await store.log(alertID: try XCTUnwrap(state.1?.id))
            XCTAssertEqual(log, [], name)
            // The store still works, and ids go on.
            let next = try await store.write { tx in try tx.insertAlert(Self.alert("after")) }
            XCTAssertGreaterThan(next, try XCTUnwrap(state.1?.id), name)
        }
    }

    /// The two set verbs a round uses: its claims in one statement, its alerts in one read.
    func testARoundsClaimsAndAlertsInOneStatementEach() async throws {
        for (name, store) in try await TestStores.all() {
            let now = now
            let (alerts, items) = try await store.write { tx in
                let alerts = try ["a", "b", "c"].map { try tx.insertAlert(Self.alert($0)) }
                let items = try alerts.map { try tx.insertOutbox(OutboxItem(id: 0, alertID: $0, target: OutboxTarget(channel: "c"), position: 0, action: .trigger, createdAt: now)) }
                return (alerts, items)
            }
            let read = try await store.read { tx in try tx.alerts(ids: [alerts[2], alerts[0], 999]).map(\.id).sorted() }
            XCTAssertEqual(read, [alerts[0], alerts[2]].sorted(), "\(name): the ones that exist, whatever the order asked")
            try await store.write { tx in try tx.setOutboxState(.claimed(owner: "h/1/live", until: now + 30), ids: [items[0], items[2]]) }
            let (states, counts) = try await store.read { tx in
                (try items.map { try tx.outboxRow(id: $0)?.state }, try tx.outboxCounts())
            }
            XCTAssertEqual(states, [.claimed(owner: "h/1/live", until: now + 30), .pending(notBefore: nil), .claimed(owner: "h/1/live", until: now + 30)], name)
            XCTAssertEqual(counts, OutboxCounts(pending: 1, claimed: ["h/1/live": 2]), name)
            try await store.write { tx in try tx.setOutboxState(.done(outcome: "delivered"), ids: []) }
        }
    }

    func testOutboxClaimCandidates() async throws {
        for (name, store) in try await TestStores.all() {
            let now = now
            let ids = try await store.write { tx in
                try (0..<4).map { _ in try tx.insertOutbox(OutboxItem(id: 0, alertID: 1, target: OutboxTarget(channel: "c"), position: 0, action: .trigger, createdAt: now)) }
            }
            try await store.write { tx in
                let rows = try tx.outbox(alertID: 1)
                try tx.saveOutbox(OutboxRow(item: rows[0].item, state: .pending(notBefore: now + 30)))
                try tx.saveOutbox(OutboxRow(item: rows[1].item, state: .claimed(owner: "h/1/live", until: now + 300)))
                try tx.saveOutbox(OutboxRow(item: rows[2].item, state: .claimed(owner: "h/2/dead", until: now + 300)))
                try tx.saveOutbox(OutboxRow(item: rows[3].item, state: .done(outcome: "delivered")))
            }
            let (early, owners, withDead, later, wake, counts) = try await store.read { tx in
                (try tx.claimCandidates(at: now, ownersGone: [], excludingChannels: [], limit: 10).map(\.item.id),
                 try tx.leaseOwners(at: now),
                 try tx.claimCandidates(at: now, ownersGone: ["h/2/dead"], excludingChannels: [], limit: 10).map(\.item.id),
                 try tx.claimCandidates(at: now + 301, ownersGone: [], excludingChannels: [], limit: 1).map(\.item.id),
                 try tx.earliestOutboxTime(),
                 try tx.outboxCounts())
            }
            XCTAssertEqual(counts, OutboxCounts(pending: 1, claimed: ["h/1/live": 1, "h/2/dead": 1]), name)
            XCTAssertEqual(early, [], "\(name): held back, claimed or done")
            XCTAssertEqual(owners, ["h/1/live", "h/2/dead"], name)
            XCTAssertEqual(withDead, [ids[2]], "\(name): a gone owner's claim is free")
            XCTAssertEqual(later, [ids[0]], "\(name): by id, at most limit")
            XCTAssertEqual(wake, now + 30, name)
        }
    }

    func testEscalationRows() async throws {
        for (name, store) in try await TestStores.all() {
            let now = now
            try await store.write { tx in
                XCTAssertEqual(try tx.insertAlert(Self.alert("k")), 1)
                try tx.saveEscalation(EscalationState(alertID: 1, policy: "p", route: "b", position: 0, dueAt: now + 10, startedAt: now))
                try tx.saveEscalation(EscalationState(alertID: 1, policy: "p", route: "a", position: 0, dueAt: now + 20, startedAt: now))
                var replaced = EscalationState(alertID: 1, policy: "p", route: "b", position: 2, dueAt: now + 5, startedAt: now, acknowledged: true)
                replaced.silenced = true
                try tx.saveEscalation(replaced)
            }
            let (all, due, earliest) = try await store.read { tx in
                (try tx.escalations(alertID: 1), try tx.dueEscalations(at: now + 6, limit: 10), try tx.earliestEscalationDue())
            }
            XCTAssertEqual(all.map(\.route), ["a", "b"], name)
            XCTAssertEqual(due.map(\.position), [2], name)
            XCTAssertEqual(due.first?.acknowledged, true, name)
            XCTAssertEqual(due.first?.silenced, true, name)
            XCTAssertEqual(earliest, now + 5, name)
            try await store.write { try $0.deleteEscalation(alertID: 1, route: "b") }
            let left = try await store.read { try $0.escalations(alertID: 1).map(\.route) }
            XCTAssertEqual(left, ["a"], name)
        }
    }

    func testDeliveriesSilencesBeatsAndStormRows() async throws {
        for (name, store) in try await TestStores.all() {
            let now = now
            let sms = DeliveryReport(channel: "sms", recipient: "alice", attempts: [.init(startedAt: now, outcome: .delivered(providerID: "SM1"))])
            let failed = DeliveryReport(channel: "sms", recipient: "alice", attempts: [.init(startedAt: now, outcome: .permanent(reason: "no"))])
            let silenceID = try await store.write { tx in
                try tx.insertDelivery(DeliveryRecord(alertID: 1, report: sms))
                try tx.insertDelivery(DeliveryRecord(alertID: 2, report: failed))
                try tx.saveBeat(BeatRow(name: "backup", lastBeat: nil, firstSeen: now))
                try tx.insertContactPage(ContactPage(contact: "alice", alertID: 1, at: now))
                try tx.insertContactPage(ContactPage(contact: "alice", alertID: 2, at: now + 10))
                try tx.insertHeldPage(HeldPage(contact: "alice", alertID: 3, channel: "sms", at: now, digestAt: now + 60))
                try tx.insertHeldPage(HeldPage(contact: "alice", alertID: 3, channel: "sms", at: now + 5, digestAt: now + 90))
                return try tx.insertSilence(SilenceRow(id: 0, matchers: ["environment=staging"], startsAt: now, endsAt: now + 60, comment: "c", createdBy: "bob"))
            }
            let read = try await store.read { tx in
                (try tx.deliveries(alertID: 1), try tx.lastDeliveredAlert(to: "alice", channels: ["sms"]), try tx.beat(name: "backup"),
                 try tx.silences(endingAfter: now + 30), try tx.silences(endingAfter: now + 60), try tx.heldPages(contact: "alice"),
                 try tx.contactsWithDigestDue(at: now + 60), try tx.earliestDigest())
            }
            XCTAssertEqual(read.0.map(\.report), [sms], name)
            XCTAssertEqual(read.1, 1, "\(name): the last *delivered* message")
            XCTAssertEqual(read.2, BeatRow(name: "backup", lastBeat: nil, firstSeen: now), name)
            XCTAssertEqual(read.3.map(\.id), [silenceID], name)
            XCTAssertEqual(read.3.first?.matchers, ["environment=staging"], name)
            XCTAssertEqual(read.4, [], name)
            XCTAssertEqual(read.5.map(\.digestAt), [now + 60], "\(name): a held alert is held once")
            XCTAssertEqual(read.6, ["alice"], name)
            XCTAssertEqual(read.7, now + 60, name)
            try await store.write { tx in
                try tx.deleteContactPages(contact: "alice", notAfter: now)
                try tx.deleteHeldPages(contact: "alice")
            }
            let pages = try await store.read { tx in (try tx.contactPages(contact: "alice").map(\.alertID), try tx.heldPages(contact: "alice")) }
            XCTAssertEqual(pages.0, [2], name)
            XCTAssertEqual(pages.1, [], name)
        }
    }
}

extension StoreConformanceTests {
    func testEveryKindOfAttemptReadsBackAsWritten() async throws {
        for (name, store) in try await TestStores.all() {
            let now = now
            let report = DeliveryReport(channel: "sms", recipient: "alice", attempts: [
                .init(startedAt: now, outcome: .retryable(reason: "HTTP 429 \"slow down\"\nnow", retryAfter: .seconds(30))),
                .init(startedAt: now + 1, outcome: .throttled(nextAllowed: now + 900)),
                .init(startedAt: now + 2, outcome: .permanent(reason: "Twilio 21211: invalid To")),
                .init(startedAt: now + 3.25, outcome: .delivered(providerID: "SM1")),
            ])
            try await store.write { try $0.insertDelivery(DeliveryRecord(alertID: 1, report: report)) }
            let read = try await store.deliveries(alertID: 1)
            XCTAssertEqual(read.map(\.report), [report], name)
        }
    }
}
