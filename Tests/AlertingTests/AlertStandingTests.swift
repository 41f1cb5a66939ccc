@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import Foundation
import XCTest

/// Where an alert stands, as `notify list` and `notify show` print it (issue 12): the step that
/// fired last, who acknowledged, and who was paged and how, one line per page however many
/// attempts it took.
final class AlertStandingTests: NotifyTestCase {
    private let start = Date(timeIntervalSince1970: 1_800_000_000)

    private func record(_ channel: String, to recipient: String? = nil, at offset: TimeInterval, _ outcomes: DeliveryOutcome...) -> DeliveryRecord {
        DeliveryRecord(alertID: 1, report: DeliveryReport(channel: channel, recipient: recipient, attempts: outcomes.enumerated().map {
            .init(startedAt: start + offset + Double($0.offset), outcome: $0.element)
        }))
    }

    private func row(_ id: Int64, _ channel: String, to recipient: String? = nil, at offset: TimeInterval, _ action: EventAction = .trigger,
                     state: OutboxRow.State) -> OutboxRow {
        OutboxRow(item: OutboxItem(id: id, alertID: 1, target: OutboxTarget(channel: channel, recipient: recipient), position: 0,
                                   action: action, createdAt: start + offset), state: state)
    }

    func testTheStepIsReadBackFromTheWordsTheTimelineRecords() {
        let step = EscalationStep(number: 2, of: 3, policy: "db-failover")
        XCTAssertEqual(EscalationStep(note: step.note), step)
        XCTAssertEqual(EscalationStep(note: "silence over; step 1 of 2 of policy db, repeat 1 of 2; nobody on call in primary"),
                       EscalationStep(number: 1, of: 2, policy: "db"))
        XCTAssertNil(EscalationStep(note: "notified by route default"))
    }

    func testRetriesOfOnePageAreOneLineAndANewPageToTheSamePlaceIsAnother() {
        let refused = DeliveryOutcome.retryable(reason: "connection refused", retryAfter: nil)
        let pages = AlertStanding.pages([
            record("slack", at: 0, .delivered(providerID: nil)),
            record("sms", to: "alice", at: 1, refused, refused),
            record("sms", to: "alice", at: 40, .delivered(providerID: "SM1")),
            record("sms", to: "alice", at: 300, refused),
        ], outbox: [
            row(1, "slack", at: 0, state: .done(outcome: "delivered")),
            row(2, "sms", to: "alice", at: 1, state: .done(outcome: "delivered")),
            row(3, "sms", to: "alice", at: 300, state: .pending(notBefore: start + 330)),
            row(4, "voice", to: "bob", at: 300, state: .pending(notBefore: nil)),
        ])
        XCTAssertEqual(pages.map(\AlertStanding.Page.destination), ["slack", "sms to alice", "sms to alice", "voice to bob"])
        XCTAssertEqual(pages.map(\AlertStanding.Page.outcome), ["delivered", "delivered", "retryable", "waiting"])
        XCTAssertEqual(pages.map(\AlertStanding.Page.attempts), [1, 3, 1, 0])
        XCTAssertEqual(pages[2].nextTry, start + 330)
        XCTAssertEqual(pages[2].reason, "connection refused")
    }

    func testAPageGivenUpOnDoesNotSwallowTheNextPageToThatPlace() {
        let refused = DeliveryOutcome.retryable(reason: "connection refused", retryAfter: nil)
        let pages = AlertStanding.pages([
            record("sms", to: "alice", at: 0, refused),
            record("sms", to: "alice", at: 600, .delivered(providerID: nil)),
        ], outbox: [
            row(1, "sms", to: "alice", at: 0, state: .done(outcome: "retryable")),
            row(2, "sms", to: "alice", at: 600, state: .done(outcome: "delivered")),
        ])
        XCTAssertEqual(pages.map(\AlertStanding.Page.outcome), ["retryable", "delivered"])
    }

    func testAResolveNoticeIsNamedAsOne() {
        let pages = AlertStanding.pages([
            record("slack", at: 0, .delivered(providerID: nil)),
            record("slack", at: 60, .delivered(providerID: nil)),
        ], outbox: [
            row(1, "slack", at: 0, state: .done(outcome: "delivered")),
            row(2, "slack", at: 60, .resolve, state: .done(outcome: "delivered")),
        ])
        XCTAssertEqual(pages.map(\AlertStanding.Page.resolveNotice), [false, true])
    }

    func testTheStandingNamesWhoAcknowledgedUntilTheAlertTriggersAgain() async throws {
        for (name, store) in try await TestStores.all() {
            let transition = try await store.record(AlertEvent(kind: .failover, summary: "db-1 failed over"), at: start)
            let id = try XCTUnwrap(transition.alert?.id, name)
            let at = start
            try await store.write { transaction in
                try transaction.appendLog(AlertLogEntry(alertID: id, at: at, action: .trigger, change: .escalated, note: "step 1 of 2 of policy db"))
                try transaction.appendLog(AlertLogEntry(alertID: id, at: at + 5, action: .acknowledge, change: .acknowledged, actor: "alice"))
            }
            var standing = try await store.standing(alertID: id)
            XCTAssertEqual(standing?.acknowledgedBy, "alice", name)
            XCTAssertEqual(standing?.step, EscalationStep(number: 1, of: 2, policy: "db"), name)
            try await store.write { try $0.appendLog(AlertLogEntry(alertID: id, at: at + 3600, action: .trigger, change: .retriggered)) }
            standing = try await store.standing(alertID: id)
            XCTAssertNotNil(standing, name)
            XCTAssertNil(standing?.acknowledgedBy, name)
        }
    }
}
