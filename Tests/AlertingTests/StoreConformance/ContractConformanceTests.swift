@testable import Alerting
@testable import AlertingPostgres
@testable import AlertingSQLite
import Foundation
import GRDB
import Logging
import MetricsTestKit
import PostgresNIO
import XCTest

/// The store contract as ``AlertStore`` writes it, on every store: every row verb is called
/// here or in the other conformance suites; a lock taken by name holds off another writer; a
/// body run twice records, counts and pages once; a row that cannot be read is an error that
/// names its table, column and row.
final class ContractConformanceTests: NotifyTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    private static func alert(_ key: String, kind: AlertKind = .failover, environment: String = "prod") -> Alert {
        AlertStateMachine.newAlert(id: 0, from: AlertEvent(kind: kind, environment: environment, source: "db-1", summary: "s", dedupKey: key),
                                   at: Date(timeIntervalSince1970: 1_800_000_000))
    }

    // MARK: Every verb

    /// The verbs of every aggregate protocol, read from the source, each called by this suite
    /// (a verb with a lock, once for update too): a verb added without a test fails here.
    func testEveryRowVerbIsCalledByTheConformanceSuite() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let aggregates = root.appendingPathComponent("Sources/Alerting/Store/Aggregates")
        let suite = try FileManager.default.contentsOfDirectory(atPath: URL(fileURLWithPath: #filePath).deletingLastPathComponent().path)
            .filter { $0.hasSuffix(".swift") }
            .map { try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent($0), encoding: .utf8) }
            .joined()
        var verbs: [String] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: aggregates.path) where file.hasSuffix(".swift") {
            let text = try String(contentsOf: aggregates.appendingPathComponent(file), encoding: .utf8)
            guard let body = text.range(of: #"public protocol \w+[^{]*\{[\s\S]*?\n\}"#, options: .regularExpression) else { continue }
            for line in text[body].split(separator: "\n") {
                guard let match = line.range(of: #"func \w+\([^)]*\)"#, options: .regularExpression) else { continue }
                let declaration = line[match].dropFirst("func ".count)
                let name = declaration.prefix { $0 != "(" }
                let parameters = declaration.drop { $0 != "(" }.dropFirst().dropLast()
                let firstLabel = parameters.split(separator: ",").first.map { $0.split(separator: ":")[0].split(separator: " ")[0] } ?? ""
                verbs.append(firstLabel.isEmpty || firstLabel == "_" ? "\(name)(" : "\(name)(\(firstLabel):")
                if parameters.contains("forUpdate: Bool") { verbs.append("LOCKED \(name)(\(firstLabel):") }
            }
        }
        XCTAssertGreaterThanOrEqual(verbs.count, 50, "the verbs were found: \(verbs)")
        for verb in verbs {
            if verb.hasPrefix("LOCKED ") {
                let call = String(verb.dropFirst("LOCKED ".count))
                let locked = suite.range(of: NSRegularExpression.escapedPattern(for: "." + call) + #"[^)\n]*forUpdate: true"#, options: .regularExpression)
                XCTAssertNotNil(locked, "\(call) is never called for update by the conformance suite")
            } else {
                XCTAssertTrue(suite.contains("." + verb), "\(verb) is never called by the conformance suite")
            }
        }
    }

    func testLogEntriesOfAKindSinceATimeComeWithTheirAlert() async throws {
        for (name, store) in try await TestStores.all() {
            let now = now
            let (failover, health) = try await store.write { tx in
                let failover = try tx.insertAlert(Self.alert("f"))
                let health = try tx.insertAlert(Self.alert("h", kind: .healthCheckFailure))
                try tx.appendLog(AlertLogEntry(alertID: failover, at: now - 60, action: .trigger, change: .opened))
                try tx.appendLog(AlertLogEntry(alertID: failover, at: now + 5, action: .trigger, change: .deduplicated))
                try tx.appendLog(AlertLogEntry(alertID: health, at: now + 6, action: .trigger, change: .opened))
                return (failover, health)
            }
            let entries = try await store.read { tx in try tx.logEntries(kind: .failover, since: now) }
            XCTAssertEqual(entries.map(\.alert.id), [failover], "\(name): the failover's, from `since` on")
            XCTAssertEqual(entries.map(\.entry.change), [.deduplicated], name)
            let other = try await store.read { tx in try tx.logEntries(kind: .healthCheckFailure, since: now - 3600) }
            XCTAssertEqual(other.map(\.alert.id), [health], name)
        }
    }

    func testInstanceRowsAreSavedReplacedListedAndDeleted() async throws {
        for (name, store) in try await TestStores.all() {
            let now = now
            try await store.write { tx in
                try tx.saveInstance(InstanceRow(owner: "b/2/x", role: "serve", startedAt: now, lastSeen: now))
                try tx.saveInstance(InstanceRow(owner: "a/1/x", role: "daemon", startedAt: now - 10, lastSeen: now - 10))
                try tx.saveInstance(InstanceRow(owner: "a/1/x", role: "daemon", startedAt: now - 10, lastSeen: now + 5))
            }
            let listed = try await store.read { tx in try tx.instances() }
            XCTAssertEqual(listed.map(\.owner), ["a/1/x", "b/2/x"], "\(name): by owner, one row each")
            XCTAssertEqual(listed.first?.lastSeen, now + 5, "\(name): replaced")
            try await store.write { tx in try tx.deleteInstance(owner: "a/1/x") }
            let left = try await store.read { tx in try tx.instances().map(\.owner) }
            XCTAssertEqual(left, ["b/2/x"], name)
        }
    }

    func testTheThrottleLedgerKeepsSendsPerContactAndMedium() async throws {
        for (name, store) in try await TestStores.all() {
            let now = now
            try await store.write { tx in
                try tx.lockLedger(.throttle(contact: "alice", medium: .sms))
                for offset in [-600.0, -30, -10] { try tx.insertThrottleSend(contact: "alice", medium: .sms, at: now + offset) }
                try tx.insertThrottleSend(contact: "alice", medium: .voice, at: now)
                try tx.insertThrottleSend(contact: "bob", medium: .sms, at: now)
            }
            let sends = try await store.read { tx in try tx.throttleSends(contact: "alice", medium: .sms) }
            XCTAssertEqual(sends, [now - 600, now - 30, now - 10], "\(name): oldest first, one contact and medium")
            try await store.write { tx in
                try tx.lockLedger(.throttle(contact: "alice", medium: .sms))
                try tx.deleteThrottleSends(contact: "alice", medium: .sms, notAfter: now - 30)
            }
            let (left, voice, bob) = try await store.read { tx in
                (try tx.throttleSends(contact: "alice", medium: .sms), try tx.throttleSends(contact: "alice", medium: .voice),
                 try tx.throttleSends(contact: "bob", medium: .sms))
            }
            XCTAssertEqual(left, [now - 10], "\(name): up to and including the cut")
            XCTAssertEqual(voice, [now], name)
            XCTAssertEqual(bob, [now], name)
        }
    }

    func testOutboxRowsAreDeletedAndFoundByRecipient() async throws {
        for (name, store) in try await TestStores.all() {
            let now = now
            let ids = try await store.write { tx in
                try ["alice", "alice", "bob", "alice"].map { recipient in
                    try tx.insertOutbox(OutboxItem(id: 0, alertID: 1, target: OutboxTarget(channel: "sms", recipient: recipient), position: 0,
                                                   action: .trigger, createdAt: now))
                }
            }
            try await store.write { tx in
                try tx.deleteOutbox(id: ids[1])
                let row = try XCTUnwrap(tx.outboxRow(id: ids[3], forUpdate: true))
                try tx.saveOutbox(OutboxRow(item: row.item, state: .done(outcome: "delivered")))
            }
            let (alice, deleted) = try await store.read { tx in (try tx.openOutbox(recipient: "alice").map(\.item.id), try tx.outboxRow(id: ids[1])) }
            XCTAssertEqual(alice, [ids[0]], "\(name): not deleted, not done, hers")
            XCTAssertNil(deleted, name)
        }
    }

    func testSilenceRowsAreReadAndUpdatedByID() async throws {
        for (name, store) in try await TestStores.all() {
            let now = now
            let id = try await store.write { tx in
                try tx.insertSilence(SilenceRow(id: 0, matchers: ["environment=prod"], startsAt: now, endsAt: now + 3600, comment: "deploy", createdBy: "alice"))
            }
            try await store.write { tx in
                var silence = try XCTUnwrap(tx.silence(id: id, forUpdate: true))
                silence.endsAt = now + 60
                silence.comment = "cut short"
                try tx.updateSilence(silence)
            }
            let (read, missing) = try await store.read { tx in (try tx.silence(id: id), try tx.silence(id: id + 100)) }
            XCTAssertEqual(read, SilenceRow(id: id, matchers: ["environment=prod"], startsAt: now, endsAt: now + 60, comment: "cut short", createdBy: "alice"), name)
            XCTAssertNil(missing, name)
        }
    }

    /// Change events are kept with their details and links, and read back by time.
    func testChangeRowsAreKeptAndReadByTime() async throws {
        for (name, store) in try await TestStores.all() {
            let now = now
            let deploy = ChangeEvent(summary: "api v1.4.2 deployed", source: "ci", at: now - 600, environment: "prod-eu",
                                     details: ["commit": .string("9f2c1e")], links: [Link(href: "https://ci.example.com/run/981", text: "run")])
            let ids = try await store.write { tx in
                [try tx.insertChange(deploy), try tx.insertChange(ChangeEvent(summary: "older", at: now - 7200)),
                 try tx.insertChange(ChangeEvent(summary: "later", at: now + 60))]
            }
            XCTAssertEqual(Set(ids).count, 3, name)
            let read = try await store.read { tx in try tx.changes(from: now - 3600, to: now + 60) }
            var expected = deploy
            expected.id = ids[0]
            XCTAssertEqual(read.map(\.summary), ["api v1.4.2 deployed", "later"], name)
            XCTAssertEqual(read.first, expected, name)
        }
    }

    /// Headings are the alerts' own fields, newest first, by status, without details.
    func testAlertHeadingsAreTheAlertsFieldsNewestFirst() async throws {
        for (name, store) in try await TestStores.all() {
            let ids = try await store.write { tx in
                try [Self.alert("a"), Self.alert("b", kind: .healthCheckFailure, environment: "staging"), Self.alert("c")].map { try tx.insertAlert($0) }
            }
            try await store.write { tx in
                guard var resolved = try tx.alert(id: ids[2], forUpdate: true) else { return }
                resolved.status = .resolved
                try tx.updateAlert(resolved)
            }
            let open = try await store.read { tx in try tx.alertHeadings(statuses: [.triggered, .acknowledged]) }
            let whole = try await store.read { tx in try tx.alerts(statuses: [.triggered, .acknowledged]) }
            XCTAssertEqual(open, whole.map(AlertHeading.init), name)
            XCTAssertEqual(open.map(\.id), [ids[1], ids[0]], name)
            XCTAssertEqual(open.first?.environment, "staging", name)
            let none = try await store.read { tx in try tx.alertHeadings(statuses: []) }
            XCTAssertEqual(none, [], name)
            let counts = try await store.read { tx in
                [try tx.alertCount(statuses: [.triggered, .acknowledged]), try tx.alertCount(statuses: [.resolved]), try tx.alertCount(statuses: [])]
            }
            XCTAssertEqual(counts, [2, 1, 0], name)
            let pages = try await store.read { tx in
                [try tx.alertIDs(statuses: [.triggered], offset: 0, limit: 1), try tx.alertIDs(statuses: [.triggered], offset: 1, limit: 5),
                 try tx.alertIDs(statuses: [.triggered], offset: 2, limit: 5), try tx.alertIDs(statuses: Set(AlertStatus.allCases), offset: 0, limit: 0)]
            }
            XCTAssertEqual(pages, [[ids[1]], [ids[0]], [], []], name)
        }
    }

    /// On-call overrides are kept, read back by end time oldest first, and deleted once.
    func testOverrideRowsAreKeptReadByEndAndDeleted() async throws {
        for (name, store) in try await TestStores.all() {
            let now = now
            let saturday = ScheduleOverride(schedule: "primary", member: "carol", from: now + 3600, until: now + 86_400, createdBy: "bob", createdAt: now)
            let ids = try await store.write { tx in
                [try tx.insertOverride(saturday),
                 try tx.insertOverride(ScheduleOverride(schedule: "primary", member: "bob", from: now - 7200, until: now - 3600, createdAt: now - 7200))]
            }
            var expected = saturday
            expected.id = ids[0]
            let notOver = try await store.read { tx in try tx.overrides(endingAfter: now) }
            XCTAssertEqual(notOver, [expected], name)
            let all = try await store.read { tx in try tx.overrides(endingAfter: nil) }
            XCTAssertEqual(all.map(\.id), ids.sorted(), name)
            let deleted = try await store.write { tx in (try tx.deleteOverride(id: ids[0]), try tx.deleteOverride(id: ids[0])) }
            XCTAssertEqual([deleted.0, deleted.1], [true, false], name)
            let left = try await store.read { tx in try tx.overrides(endingAfter: nil) }
            XCTAssertEqual(left.map(\.id), [ids[1]], name)
        }
    }

    /// The locks the rules take by name are called here on every store (memory and SQLite may
    /// implement them as nothing: their writers take turns).
    func testEveryReadForUpdateReadsWhatThePlainReadDoes() async throws {
        for (name, store) in try await TestStores.all() {
            let now = now
            let (alertID, outboxID) = try await store.write { tx in
                let alertID = try tx.insertAlert(Self.alert("k"))
                try tx.saveEscalation(EscalationState(alertID: alertID, policy: "p", route: "r", position: 0, dueAt: now, startedAt: now))
                try tx.saveBeat(BeatRow(name: "nightly", lastBeat: now, firstSeen: now))
                let outboxID = try tx.insertOutbox(OutboxItem(id: 0, alertID: alertID, target: OutboxTarget(channel: "c"), position: 0, action: .trigger, createdAt: now))
                return (alertID, outboxID)
            }
            let same = try await store.write { tx -> Bool in
                try tx.lockLedger(.storm(contact: "alice"))
                return try tx.openAlert(dedupKey: "k", forUpdate: true) == tx.openAlert(dedupKey: "k")
                    && tx.alert(id: alertID, forUpdate: true) == tx.alert(id: alertID)
                    && tx.escalations(alertID: alertID, forUpdate: true) == tx.escalations(alertID: alertID)
                    && tx.outbox(alertID: alertID, forUpdate: true) == tx.outbox(alertID: alertID)
                    && tx.outboxRow(id: outboxID, forUpdate: true) == tx.outboxRow(id: outboxID)
                    && tx.beat(name: "nightly", forUpdate: true) == tx.beat(name: "nightly")
                    && tx.alert(id: alertID, forUpdate: true) != nil
            }
            XCTAssertTrue(same, name)
        }
    }

    /// Two writers read the same alert for update and each adds one to its count: both additions
    /// are kept. (On PostgreSQL, without the lock, both would read the same count and one
    /// addition would be lost.)
    func testAReadForUpdateHoldsOffAnotherWriterUntilItCommits() async throws {
        for (name, store) in try await TestStores.all() {
            let id = try await store.write { tx in try tx.insertAlert(Self.alert("counted")) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        try await store.write { tx in
                            var alert = try XCTUnwrap(tx.alert(id: id, forUpdate: true))
                            Thread.sleep(forTimeInterval: 0.2)  // the other writer arrives meanwhile
                            alert.count += 1
                            try tx.updateAlert(alert)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let count = try await store.read { tx in try tx.alert(id: id)?.count }
            XCTAssertEqual(count, 3, "\(name): both additions kept")
        }
    }

    /// Two writers admit a message to one person under a limit of one, at the same moment: the
    /// ledger's lock lets exactly one through.
    func testALockedLedgerCountsOnePersonOnce() async throws {
        for (name, store) in try await TestStores.all() {
            let now = now
            let admissions = try await withThrowingTaskGroup(of: ThrottleGate.Admission.self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        try await store.write { tx in
                            let admission = try ThrottleGate.admit(contact: "alice", medium: .sms, rule: ThrottleRule(limit: 1, window: .seconds(600)), at: now, in: tx)
                            Thread.sleep(forTimeInterval: 0.1)
                            return admission
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            XCTAssertEqual(admissions.filter { $0 == .allowed }.count, 1, "\(name): \(admissions)")
        }
    }

    // MARK: A body may run twice

    /// Every write body of a new alert's life runs twice (RerunningStore): the alert is recorded
    /// once, its steps fire once, each page goes once, and the metrics count each thing once.
    func testAWriteBodyRunTwiceRecordsCountsAndPagesOnce() async throws {
        for (name, base) in try await TestStores.all() {
            let store = RerunningStore(base)
            let clock = ManualClock(now: now)
            let metrics = TestMetrics()
            let pager = ScriptedChannel(name: "pager")
            let policy = EscalationPolicy(name: "p", steps: [EscalationPolicy.Step(after: .zero, targets: [RouteTarget(channel: "pager")]),
                                                            EscalationPolicy.Step(after: .seconds(300), targets: [RouteTarget(channel: "pager")])])
            let notifier = Notifier(store: store, channels: [pager], configuration: Configuration(routes: [Route(name: "all", policy: "p")], policies: [policy]),
                                    clock: clock, metrics: NotifyMetrics(factory: metrics))
            let event = AlertEvent(kind: .failover, environment: "prod", source: "db-1", summary: "failed over")
            let first = try await notifier.process(event)
            XCTAssertEqual(first.transition.change, .opened, name)
            clock.advance(by: .seconds(300))
            try await notifier.runDue()
            let alertID = try XCTUnwrap(first.alert?.id)
            XCTAssertGreaterThan(store.discarded.value, 3, "\(name): the bodies did run twice")
            XCTAssertEqual(pager.received.count, 2, "\(name): step 1 and step 2, once each")
            let (alerts, log, deliveries) = try await base.read { tx in
                (try tx.alerts(statuses: Set(AlertStatus.allCases)), try tx.log(alertID: alertID), try tx.deliveries(alertID: alertID))
            }
            XCTAssertEqual(alerts.count, 1, name)
            XCTAssertEqual(log.filter { $0.change == .opened }.count, 1, name)
            XCTAssertEqual(log.filter { $0.change == .escalated }.count, 2, "\(name): each step noted once")
            XCTAssertEqual(deliveries.count, 2, name)
            XCTAssertEqual(metrics.counterTotal(label: NotifyMetrics.eventsReceived), 1, "\(name): the event counted once")
            XCTAssertEqual(try metrics.expectTimer(NotifyMetrics.escalationLag).values.count, 2, "\(name): two steps fired, two lags")
            XCTAssertEqual(metrics.counterTotal(label: NotifyMetrics.notifications), 2, "\(name): two deliveries counted")
        }
    }

    // MARK: A row that cannot be read

    /// Damage a column of a row, as a hand edit or a bug would: the read fails, naming the
    /// table, the column and the row, instead of inventing a value.
    func testAnUndecodableRowIsAnErrorNamingTableColumnAndRow() async throws {
        for (name, store) in try await TestStores.all() {
            let now = now
            let (alertID, outboxID) = try await store.write { tx in
                let alertID = try tx.insertAlert(Self.alert("damaged"))
                try tx.saveEscalation(EscalationState(alertID: alertID, policy: "p", route: "r", position: 0, dueAt: now + 60, startedAt: now))
                let outboxID = try tx.insertOutbox(OutboxItem(id: 0, alertID: alertID, target: OutboxTarget(channel: "c"), position: 0, action: .trigger, createdAt: now))
                return (alertID, outboxID)
            }
            let damage = ["UPDATE alerts SET status = 'half-open' WHERE id = \(alertID)",
                          "UPDATE outbox SET state = 'lost' WHERE id = \(outboxID)"]
            switch store {
            case let sqlite as SQLiteAlertStore:
                try await DatabaseQueue(path: sqlite.path).write { db in
                    for sql in damage { try db.execute(sql: sql) }
                    // SQLite keeps text in a REAL column: a due time that is not a time.
                    try db.execute(sql: "UPDATE escalations SET due_at = 'soon' WHERE alert_id = \(alertID)")
                }
            case let postgres as PostgresAlertStore:
                try await postgres.withConnection { connection in
                    for sql in damage { _ = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "test")).collect() }
                }
            default:
                continue  // memory keeps values, not their encodings
            }
            await XCTAssertThrowsStoreDecodingError(try await store.read { tx in try tx.alert(id: alertID) },
                                                    StoreDecodingError(table: "alerts", column: "status", row: "\(alertID)", problem: #""half-open" is not a known value"#), name)
            await XCTAssertThrowsStoreDecodingError(try await store.read { tx in try tx.outboxRow(id: outboxID) },
                                                    StoreDecodingError(table: "outbox", column: "state", row: "\(outboxID)", problem: #""lost" is not a known value"#), name)
            if let sqlite = store as? SQLiteAlertStore {
                // The console's list reads headings by position: a damaged one is an error too.
                let headingID = try await store.write { tx in try tx.insertAlert(Self.alert("damaged heading")) }
                try await DatabaseQueue(path: sqlite.path).write { db in try db.execute(sql: "UPDATE alerts SET summary = x'ff' WHERE id = \(headingID)") }
                do {
                    _ = try await store.read { tx in try tx.alertHeadings(statuses: [.triggered]) }
                    XCTFail("\(name): a summary that is not text was read")
                } catch let error as StoreDecodingError {
                    XCTAssertEqual([error.table, error.row], ["alerts", "\(headingID)"], name)
                }
                await XCTAssertThrowsStoreDecodingError(try await store.read { tx in try tx.escalations(alertID: alertID) },
                                                        StoreDecodingError(table: "escalations", column: "due_at", row: "\(alertID)/r", problem: #"expected a number, found the text "soon""#), name)
            }
        }
    }
}

/// Fails unless `expression` throws exactly `expected`.
func XCTAssertThrowsStoreDecodingError<T>(_ expression: @autoclosure () async throws -> T, _ expected: StoreDecodingError, _ message: String,
                                         file: StaticString = #filePath, line: UInt = #line) async {
    do {
        let value = try await expression()
        XCTFail("\(message): read \(value) instead of failing", file: file, line: line)
    } catch let error as StoreDecodingError {
        XCTAssertEqual(error, expected, message, file: file, line: line)
        XCTAssertEqual("\(error)", "\(expected)", message, file: file, line: line)
    } catch {
        XCTFail("\(message): \(error)", file: file, line: line)
    }
}

/// The outbox's lines: an item is claimed only when no open item of its channel, person and
/// dedup key comes before it, so the pages of one key on one channel go out in the order of
/// their events (OutboxQueue's rule, on every store).
final class OutboxLineConformanceTests: NotifyTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    private static func alert(_ key: String, status: AlertStatus = .triggered) -> Alert {
        var alert = AlertStateMachine.newAlert(id: 0, from: AlertEvent(kind: .failover, environment: "prod", source: "db-1", summary: "s", dedupKey: key),
                                               at: Date(timeIntervalSince1970: 1_800_000_000))
        alert.status = status
        return alert
    }

    private static func item(alert: Int64, channel: String = "slack", action: EventAction = .trigger) -> OutboxItem {
        OutboxItem(id: 0, alertID: alert, target: OutboxTarget(channel: channel), position: action == .trigger ? 0 : nil, action: action,
                   createdAt: Date(timeIntervalSince1970: 1_800_000_000))
    }

    func testOnlyTheFirstOfEachLineIsClaimedAndExcludedChannelsAreSkipped() async throws {
        for (name, store) in try await TestStores.all() {
            let now = now
            // Two incidents of "db" (the first resolved), one of "web".
            let (first, second, web) = try await store.write { tx in
                (try tx.insertAlert(Self.alert("db", status: .resolved)), try tx.insertAlert(Self.alert("db")), try tx.insertAlert(Self.alert("web")))
            }
            // Inserted out of event order: the second incident's page before the first
            // incident's resolve notice (which is queued once its page is delivered).
            let ids = try await store.write { tx in
                [try tx.insertOutbox(Self.item(alert: first)),                       // incident 1's page
                 try tx.insertOutbox(Self.item(alert: second)),                      // incident 2's page
                 try tx.insertOutbox(Self.item(alert: first, action: .resolve)),     // incident 1's resolve notice
                 try tx.insertOutbox(Self.item(alert: first, channel: "sms")),       // another channel: its own line
                 try tx.insertOutbox(Self.item(alert: web))]                         // another key: its own line
            }
            let open = try await store.read { tx in try tx.openOutboxPlaces(dedupKeys: ["db", "nothing"]) }
            XCTAssertEqual(open.map(\.id).sorted(), [ids[0], ids[1], ids[2], ids[3]], "\(name): the open rows of a key")
            XCTAssertEqual(open.first { $0.id == ids[2] }.map { [$0.alertID, $0.action == .resolve ? 1 : 0] }, [first, 1], "\(name): with its alert and action")
            XCTAssertEqual(open.first { $0.id == ids[3] }?.target.channel, "sms", "\(name): and its target")
            XCTAssertEqual(Set(open.map(\.dedupKey)), ["db"], "\(name): each with its key")
            let owner = LeaseOwner()
            func claim(excluding: [String] = []) async throws -> [Int64] {
                try await store.write { tx in
                    try OutboxQueue.claim(owner: owner, at: now, leaseFor: .seconds(60), limit: 10, excludingChannels: excluding, in: tx).map(\.id)
                }
            }
            let skipped = try await claim(excluding: ["slack"])
            XCTAssertEqual(skipped, [ids[3]], "\(name): nothing of an excluded channel")
            let firsts = try await claim()
            XCTAssertEqual(firsts, [ids[0], ids[4]], "\(name): the first of each line")
            let again = try await claim()
            XCTAssertEqual(again, [], "\(name): a claimed row still holds its line")
            // Incident 1's page done: next in its line is its resolve notice, then incident 2.
            try await store.write { tx in try tx.setOutboxState(.done(outcome: "delivered"), ids: [ids[0]]) }
            let notice = try await claim()
            XCTAssertEqual(notice, [ids[2]], "\(name): the resolve notice of incident 1 before incident 2's page")
            try await store.write { tx in try tx.deleteOutbox(id: ids[2]) }
            let then = try await claim()
            XCTAssertEqual(then, [ids[1]], "\(name): then incident 2")
        }
    }

    /// A line's first row beyond the window of candidates (the first `limit` by id) is still
    /// claimed: the rows it holds back must not fill every window. A `kill -9` left this: pages
    /// of new incidents queued first, the resolve notices of the old ones after them (their
    /// pages were delivered late), and a restarted `notify watch` claimed nothing and exited.
    func testALinesFirstRowBeyondTheClaimWindowIsClaimed() async throws {
        for (name, store) in try await TestStores.all() {
            let now = now
            let keys = ["a", "b", "c"]
            let ids = try await store.write { tx in
                let old = try keys.map { try tx.insertAlert(Self.alert($0, status: .resolved)) }
                let new = try keys.map { try tx.insertAlert(Self.alert($0)) }
                // The new incidents' pages first, then the old incidents' resolve notices.
                let pages = try new.map { try tx.insertOutbox(Self.item(alert: $0)) }
                let notices = try old.map { try tx.insertOutbox(Self.item(alert: $0, action: .resolve)) }
                return (pages: pages, notices: notices)
            }
            let owner = LeaseOwner()
            let claimed = try await store.write { tx in
                try OutboxQueue.claim(owner: owner, at: now, leaseFor: .seconds(60), limit: 2, in: tx).map(\.id)
            }
            XCTAssertEqual(claimed, Array(ids.notices.prefix(2)), "\(name): the first rows of the lines the window's rows wait for")
        }
    }
}
