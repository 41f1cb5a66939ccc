@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import GRDB
import Foundation
import XCTest

/// What only a durable store can promise: state that outlives the process.
final class SQLiteAlertStoreTests: NotifyTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func trigger(_ key: String = "db", summary: String = "failed over") -> AlertEvent {
        AlertEvent(kind: .failover, environment: "prod", source: "db-1", summary: summary, dedupKey: key, details: ["to": .string("db-2")], links: [Link(href: "https://runbook")])
    }

    func testAlertsSurviveReopeningTheFile() async throws {
        let path = temporaryStatePath()
        do {
            let store = try SQLiteAlertStore(path: path)
            _ = try await store.record([trigger(), trigger()], at: now)
        }
        let reopened = try SQLiteAlertStore(path: path)
        let alert = try await reopened.openAlert(dedupKey: "db")
        XCTAssertEqual(alert?.count, 2)
        XCTAssertEqual(alert?.details["to"], .string("db-2"))
        XCTAssertEqual(alert?.links, [Link(href: "https://runbook")])
        XCTAssertEqual(alert?.firstSeen, now)
    }

    func testAcknowledgedAlertStaysAcknowledgedAfterARestart() async throws {
        let path = temporaryStatePath()
        do {
            let store = try SQLiteAlertStore(path: path)
            _ = try await store.record(trigger(), at: now)
            _ = try await store.record(AlertEvent(kind: .unspecified, action: .acknowledge, dedupKey: "db", actor: "alice", note: "on it"), at: now)
        }
        let reopened = try SQLiteAlertStore(path: path)
        let again = try await reopened.record(trigger(), at: now)
        XCTAssertEqual(again.change, .deduplicated)
        XCTAssertEqual(again.alert?.status, .acknowledged)
        let log = try await reopened.log(alertID: 1)
        XCTAssertEqual(log.map(\.change), [.opened, .acknowledged, .deduplicated])
        XCTAssertEqual(log[1].actor, "alice")
        XCTAssertEqual(log[1].note, "on it")
    }

    func testResolveRecordedBeforeACrashIsNotLost() async throws {
        // Alertmanager #2370: a resolve received just before a restart was forgotten and the
        // alert fired again. Here the resolve is committed before `record` returns.
        let path = temporaryStatePath()
        do {
            let store = try SQLiteAlertStore(path: path)
            _ = try await store.record(trigger(), at: now)
            _ = try await store.record(AlertEvent(kind: .unspecified, action: .resolve, dedupKey: "db"), at: now)
        }
        let reopened = try SQLiteAlertStore(path: path)
        let open = try await reopened.alerts(statuses: [.triggered, .acknowledged])
        XCTAssertEqual(open, [])
        let next = try await reopened.record(trigger(), at: now)
        XCTAssertEqual(next.change, .opened)
        XCTAssertEqual(next.alert?.id, 2)
    }

    func testResolveAndReopenInOneBatch() async throws {
        let store = try SQLiteAlertStore(path: temporaryStatePath())
        let transitions = try await store.record([trigger(), AlertEvent(kind: .unspecified, action: .resolve, dedupKey: "db"), trigger(), trigger()], at: now)
        XCTAssertEqual(transitions.map(\.change), [.opened, .resolved, .opened, .deduplicated])
        let first = try await store.alert(id: 1)
        let second = try await store.alert(id: 2)
        XCTAssertEqual(first?.status, .resolved)
        XCTAssertEqual(second?.count, 2)
    }

    func testTwoWritersOnOneFileOpenOneAlertPerKey() async throws {
        let path = temporaryStatePath()
        let first = try SQLiteAlertStore(path: path)
        let second = try SQLiteAlertStore(path: path)
        let events = (0..<50).map { _ in trigger() }
        let now = now
        let results = try await withThrowingTaskGroup(of: [AlertTransition].self) { group in
            for store in [first, second] {
                group.addTask { try await store.record(events, at: now) }
            }
            var all: [AlertTransition] = []
            for try await transitions in group { all += transitions }
            return all
        }
        XCTAssertEqual(results.filter { $0.change == .opened }.count, 1)
        XCTAssertEqual(results.filter { $0.change == .deduplicated }.count, 99)
        let alert = try await first.openAlert(dedupKey: "db")
        XCTAssertEqual(alert?.count, 100)
    }

    func testDeliveriesAndEveryAttemptAreKept() async throws {
        let store = try SQLiteAlertStore(path: temporaryStatePath())
        _ = try await store.record(trigger(), at: now)
        let report = DeliveryReport(channel: "sms", recipient: "alice", attempts: [
            .init(startedAt: now, outcome: .retryable(reason: "HTTP 429", retryAfter: .seconds(3))),
            .init(startedAt: now + 3.25, outcome: .delivered(providerID: "SM1")),
        ])
        try await store.recordDelivery(DeliveryRecord(alertID: 1, report: report))
        let records = try await store.deliveries(alertID: 1)
        XCTAssertEqual(records.map(\.report), [report])
        let timeline = try await Timeline.load(alertID: 1, from: store)
        XCTAssertEqual(timeline.entries.map(\.what), ["opened", "retryable", "delivered"])
        XCTAssertEqual(timeline.entries.last?.text, "2027-01-15T08:00:03Z  sms to alice: delivered [SM1]")
    }

    func testUnwritableLocationIsAnError() {
        XCTAssertThrowsError(try SQLiteAlertStore(path: "/proc/notify-cannot-write-here/state.db"))
    }

    func testStateLocationPrecedence() {
        let env = ["NOTIFY_STATE": "/env.db", "XDG_STATE_HOME": "/xdg", "HOME": "/home/u"]
        XCTAssertEqual(StateLocation.resolve(flag: "/flag.db", environment: env, configured: "/config.db"), "/flag.db")
        XCTAssertEqual(StateLocation.resolve(flag: nil, environment: env, configured: "/config.db"), "/env.db")
        XCTAssertEqual(StateLocation.resolve(flag: nil, environment: ["HOME": "/home/u"], configured: "/config.db"), "/config.db")
        XCTAssertEqual(StateLocation.resolve(flag: nil, environment: ["XDG_STATE_HOME": "/xdg", "HOME": "/home/u"], configured: nil), "/xdg/notify/state.db")
        XCTAssertEqual(StateLocation.resolve(flag: nil, environment: ["HOME": "/home/u"], configured: nil), "/home/u/.local/state/notify/state.db")
    }

    func testResolveBeforeTheFirstStepSaysNobodyWasNotified() async throws {
        let store = try SQLiteAlertStore(path: temporaryStatePath())
        let now = now
        _ = try await store.record([trigger()], at: now, plan: { _ in EscalationPlan(starts: [.init(policy: "p", route: "r", dueAt: now)]) })
        _ = try await store.record([AlertEvent(kind: .unspecified, action: .resolve, dedupKey: "db", note: "flapped")], at: now)
        let log = try await store.log(alertID: 1)
        XCTAssertEqual(log.last?.note, "flapped; its first step still pages (resolved before anyone was notified)")
    }
}

extension SQLiteAlertStoreTests {
    func testDamagedRowsAreSaidNotDropped() async throws {
        let store = try SQLiteAlertStore(path: temporaryStatePath())
        let now = now
        _ = try await store.record(trigger(), at: now)
        _ = try await store.write { try $0.insertOutbox(OutboxItem(id: 0, alertID: 1, target: OutboxTarget(channel: "sms", recipient: "alice"), position: nil,
                                                                   action: .trigger, createdAt: now, digestOf: [2, 3])) }
        try await store.pool.write { db in
            try db.execute(sql: "UPDATE outbox SET digest = '[2, oops' WHERE id = 1")
            try db.execute(sql: "UPDATE alerts SET details = '{broken' WHERE id = 1")
        }
        let items = try await store.claimOutbox(owner: LeaseOwner(), at: now, leaseFor: .seconds(60), limit: 10)
        XCTAssertEqual(items.count, 1, "the item is still delivered")
        XCTAssertTrue(items.first?.problem?.contains("digest's alert ids are unreadable") == true, "\(items)")
        let alert = try await store.alert(id: 1)
        XCTAssertEqual(alert?.details["notify_error"], .string("the stored details of this alert are unreadable"))
    }
}

extension SQLiteAlertStoreTests {
    /// A long-lived state file holds every item ever delivered: the outbox's queries must
    /// walk indexes of the open items, never the whole table (v13's partial indexes).
    func testTheOutboxQueriesWalkIndexesNotTheTable() async throws {
        let store = try SQLiteAlertStore(path: temporaryStatePath())
        let now = now
        _ = try await store.record([trigger("a"), trigger("b")], at: now)
        _ = try await store.write { transaction in
            for alertID: Int64 in [1, 2] {
                _ = try transaction.insertOutbox(OutboxItem(id: 0, alertID: alertID, target: OutboxTarget(channel: "sms", recipient: "alice"),
                                                            position: nil, action: .trigger, createdAt: now))
            }
        }
        let statements = LockedBox<[String]>([])
        try await store.pool.write { db in
            db.trace { event in
                if case .statement(let statement) = event { statements.withLock { $0.append(statement.sql) } }
            }
        }
        let claimed = try await store.claimOutbox(owner: LeaseOwner(), at: now, leaseFor: .seconds(60), limit: 10)
        XCTAssertEqual(claimed.count, 1, "one page at a time per person and channel")
        _ = try await store.write { transaction in
            try transaction.setOutboxState(.done(outcome: "delivered"), ids: claimed.map(\.id))
            _ = try transaction.earliestOutboxTime()
            _ = try transaction.openOutbox(recipient: "alice")
            _ = try transaction.outboxCounts()
        }
        let queries = Set(statements.withLock { $0 }.filter { $0.hasPrefix("SELECT") && ($0.contains("FROM outbox WHERE state") || $0.contains("FROM outbox o WHERE o.state")) })
        XCTAssertGreaterThanOrEqual(queries.count, 7, "\(queries)")
        for sql in queries {
            // Unbound parameters read as NULL; the plan does not depend on the values.
            let plan = try await store.pool.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql.replacingOccurrences(of: "?", with: "NULL")).map { $0["detail"] as String }
            }
            // `SCAN outbox` alone is the whole table; a scan of a partial index reads the open items.
            XCTAssertFalse(plan.contains { ["SCAN outbox", "SCAN o", "SCAN e"].contains($0) }, "reads the whole outbox: \(sql)\n\(plan)")
            XCTAssertTrue(plan.contains { $0.contains("INDEX outbox_") }, "\(sql)\n\(plan)")
        }
    }
}
