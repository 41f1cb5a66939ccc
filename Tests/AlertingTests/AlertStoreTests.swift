import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import XCTest

/// The dedup contract, checked against every store: the in-memory one and SQLite.
final class AlertStoreTests: NotifyTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func stores() throws -> [any AlertStore] {
        [MemoryAlertStore(), try SQLiteAlertStore(path: temporaryStatePath())]
    }

    private func trigger(_ key: String = "k", summary: String = "down") -> AlertEvent {
        AlertEvent(kind: .healthCheckFailure, environment: "prod", source: "web-1", summary: summary, dedupKey: key)
    }

    private func action(_ action: EventAction, _ key: String = "k") -> AlertEvent {
        AlertEvent(kind: .unspecified, action: action, dedupKey: key)
    }

    func testFirstTriggerOpensAnAlert() async throws {
        for store in try stores() {
            let transition = try await store.record(trigger(), at: now)
            XCTAssertEqual(transition.change, .opened)
            XCTAssertEqual(transition.alert?.id, 1)
            XCTAssertEqual(transition.alert?.status, .triggered)
            XCTAssertEqual(transition.alert?.count, 1)
            XCTAssertEqual(transition.alert?.firstSeen, now)
        }
    }

    func testTriggerOnOpenAlertIncrementsCountAndKeepsTheFirstSummary() async throws {
        for store in try stores() {
            _ = try await store.record(trigger(summary: "first"), at: now)
            let later = now.addingTimeInterval(60)
            let transition = try await store.record(trigger(summary: "second"), at: later)
            XCTAssertEqual(transition.change, .deduplicated)
            XCTAssertEqual(transition.alert?.id, 1)
            XCTAssertEqual(transition.alert?.count, 2)
            XCTAssertEqual(transition.alert?.lastSeen, later)
            XCTAssertEqual(transition.alert?.summary, "first")
        }
    }

    func testTriggerOnAcknowledgedAlertDoesNotOpenANewOne() async throws {
        for store in try stores() {
            _ = try await store.record(trigger(), at: now)
            let ack = try await store.record(action(.acknowledge), at: now)
            XCTAssertEqual(ack.change, .acknowledged)
            let again = try await store.record(trigger(), at: now)
            XCTAssertEqual(again.change, .deduplicated)
            XCTAssertEqual(again.alert?.status, .acknowledged)
        }
    }

    func testAfterResolveTheSameKeyOpensANewAlert() async throws {
        for store in try stores() {
            _ = try await store.record(trigger(), at: now)
            let resolved = try await store.record(action(.resolve), at: now)
            XCTAssertEqual(resolved.change, .resolved)
            XCTAssertEqual(resolved.alert?.status, .resolved)
            let reopened = try await store.record(trigger(), at: now)
            XCTAssertEqual(reopened.change, .opened)
            XCTAssertEqual(reopened.alert?.id, 2)
            let first = try await store.alert(id: 1)
            XCTAssertEqual(first?.status, .resolved)
        }
    }

    func testAckAndResolveOfUnknownKeyAreReported() async throws {
        for store in try stores() {
            let ack = try await store.record(action(.acknowledge, "nope"), at: now)
            XCTAssertEqual(ack.change, .unknownKey)
            XCTAssertNil(ack.alert)
            _ = try await store.record(trigger(), at: now)
            _ = try await store.record(action(.resolve), at: now)
            let late = try await store.record(action(.resolve), at: now)
            XCTAssertEqual(late.change, .unknownKey)
        }
    }

    func testSecondAcknowledgeIsNoChange() async throws {
        for store in try stores() {
            _ = try await store.record(trigger(), at: now)
            _ = try await store.record(action(.acknowledge), at: now)
            let again = try await store.record(action(.acknowledge), at: now)
            XCTAssertEqual(again.change, .alreadyAcknowledged)
        }
    }

    func testBatchIsAppliedInOrder() async throws {
        for store in try stores() {
            let transitions = try await store.record([trigger(), trigger(), action(.resolve), trigger()], at: now)
            XCTAssertEqual(transitions.map(\.change), [.opened, .deduplicated, .resolved, .opened])
            let open = try await store.alerts(statuses: [.triggered, .acknowledged])
            XCTAssertEqual(open.map(\.id), [2])
        }
    }
}
