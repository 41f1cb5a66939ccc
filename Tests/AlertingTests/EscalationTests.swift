@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import Foundation
import XCTest

/// Escalation with a manual clock, against both stores.
final class EscalationTests: NotifyTestCase {
    let start = Date(timeIntervalSince1970: 1_795_514_400)  // 2026-11-24 10:00:00Z

    private final class Rig: @unchecked Sendable {
        let clock: ManualClock
        let slack = ScriptedChannel(name: "slack")
        let sms: ScriptedChannel
        let voice: ScriptedChannel
        let notifier: Notifier

        init(store: any AlertStore, clock: ManualClock, policy: EscalationPolicy, notifyOnResolve: Bool = false, smsScript: [DeliveryOutcome] = [.delivered(providerID: nil)]) {
            self.clock = clock
            sms = ScriptedChannel(name: "sms", script: smsScript, medium: .sms)
            voice = ScriptedChannel(name: "voice", medium: .voice)
            notifier = Notifier(store: store, channels: [slack, sms, voice],
                configuration: Configuration(routes: [Route(name: "db", policy: policy.name, notifyOnResolve: notifyOnResolve)], policies: [policy], contacts: [Contact(name: "alice", phone: PhoneNumber("+14155550100")), Contact(name: "bob", phone: PhoneNumber("+14155550101"))]),
                clock: clock)
        }

        /// Moves the clock to `minutes` after the start and runs what is due.
        func at(minutes: Double, from start: Date) async throws -> [OutboxDelivery] {
            clock.advance(by: .milliseconds(Int64(((start.timeIntervalSince1970 + minutes * 60 - clock.now().timeIntervalSince1970) * 1000).rounded())))
            return try await notifier.runDue()
        }

        func trigger() async throws -> ProcessingResult {
            try await notifier.process(AlertEvent(kind: .failover, environment: "prod", source: "db-1", summary: "failed over", dedupKey: "db"))
        }
    }

    private let policy = EscalationPolicy(name: "db", steps: [
        .init(after: .zero, targets: [RouteTarget(channel: "slack")]),
        .init(after: .seconds(300), targets: [RouteTarget(channel: "sms", contacts: ["alice"])]),
        .init(after: .seconds(900), targets: [RouteTarget(channel: "voice", contacts: ["bob"])]),
    ])

    private func rigs(_ policy: EscalationPolicy? = nil, notifyOnResolve: Bool = false, smsScript: [DeliveryOutcome] = [.delivered(providerID: nil)]) async throws -> [Rig] {
        try await TestStores.all().map(\.store).map {
            Rig(store: $0, clock: ManualClock(now: start), policy: policy ?? self.policy, notifyOnResolve: notifyOnResolve, smsScript: smsScript)
        }
    }

    private func destinations(_ deliveries: [OutboxDelivery]) -> [String] {
        deliveries.map(\.report.destination).sorted()
    }

    func testStepsFireAtTheirTimes() async throws {
        for rig in try await rigs() {
            let opened = try await rig.trigger()
            XCTAssertEqual(opened.reports.map(\.destination), ["slack"], "the first step goes out with the send")
            do { let due = destinations(try await rig.at(minutes: 4.98, from: start)); XCTAssertEqual(due, []) }
            do { let due = destinations(try await rig.at(minutes: 5, from: start)); XCTAssertEqual(due, ["sms to alice"]) }
            do { let due = destinations(try await rig.at(minutes: 14.9, from: start)); XCTAssertEqual(due, []) }
            do { let due = destinations(try await rig.at(minutes: 15, from: start)); XCTAssertEqual(due, ["voice to bob"]) }
            do { let due = destinations(try await rig.at(minutes: 60, from: start)); XCTAssertEqual(due, [], "no repeat") }
            let escalation = try await rig.notifier.store.escalation(alertID: 1)
            XCTAssertNil(escalation)
            let log = try await rig.notifier.store.log(alertID: 1)
            XCTAssertEqual(log.filter { $0.change == .escalated }.compactMap(\.note), [
                "step 1 of 3 of policy db", "step 2 of 3 of policy db", "step 3 of 3 of policy db",
            ])
        }
    }

    func testRepeatRunsThePolicyAgain() async throws {
        let repeating = EscalationPolicy(name: "db", steps: policy.steps, repeatCount: 1, repeatAfter: .seconds(1200))
        for rig in try await rigs(repeating) {
            _ = try await rig.trigger()
            _ = try await rig.at(minutes: 15, from: start)
            do { let due = destinations(try await rig.at(minutes: 20, from: start)); XCTAssertEqual(due, ["slack"]) }
            do { let due = destinations(try await rig.at(minutes: 25, from: start)); XCTAssertEqual(due, ["sms to alice"]) }
            do { let due = destinations(try await rig.at(minutes: 35, from: start)); XCTAssertEqual(due, ["voice to bob"]) }
            do { let due = destinations(try await rig.at(minutes: 120, from: start)); XCTAssertEqual(due, []) }
            XCTAssertEqual(rig.slack.received.count, 2)
        }
    }

    func testAcknowledgeStopsFurtherSteps() async throws {
        for rig in try await rigs() {
            _ = try await rig.trigger()
            _ = try await rig.at(minutes: 2, from: start)
            _ = try await rig.notifier.acknowledge(alertID: 1, by: "alice")
            do { let due = destinations(try await rig.at(minutes: 30, from: start)); XCTAssertEqual(due, []) }
            XCTAssertEqual(rig.sms.received.count, 0)
            XCTAssertEqual(rig.voice.received.count, 0)
        }
    }

    func testResolveStopsEverythingAndTellsThosePaged() async throws {
        for rig in try await rigs(notifyOnResolve: true) {
            _ = try await rig.trigger()
            _ = try await rig.at(minutes: 5, from: start)                 // slack, sms to alice
            let resolved = try await rig.notifier.resolve(alertID: 1, by: "bob")
            XCTAssertEqual(resolved.reports.map(\.destination).sorted(), ["slack", "sms to alice"])
            XCTAssertEqual(rig.sms.received.last?.event.action, .resolve)
            do { let due = destinations(try await rig.at(minutes: 30, from: start)); XCTAssertEqual(due, [], "voice never rings") }
        }
    }

    func testAckTimeoutTriggersTheAlertAgain() async throws {
        let timed = EscalationPolicy(name: "db", steps: policy.steps, ackTimeout: .seconds(600))
        for rig in try await rigs(timed) {
            _ = try await rig.trigger()
            _ = try await rig.at(minutes: 1, from: start)
            _ = try await rig.notifier.acknowledge(alertID: 1, by: "alice")
            do { let due = destinations(try await rig.at(minutes: 10.9, from: start)); XCTAssertEqual(due, []) }
            do { let due = destinations(try await rig.at(minutes: 11, from: start)); XCTAssertEqual(due, ["slack"], "re-triggered: the policy starts over") }
            let alert = try await rig.notifier.store.alert(id: 1)
            XCTAssertEqual(alert?.status, .triggered)
            do { let due = destinations(try await rig.at(minutes: 16, from: start)); XCTAssertEqual(due, ["sms to alice"]) }
            let log = try await rig.notifier.store.log(alertID: 1)
            XCTAssertTrue(log.contains { $0.change == .retriggered })
        }
    }

    func testAckTimeoutStillAppliesToAnAcknowledgementAfterTheLastStep() async throws {
        let timed = EscalationPolicy(name: "db", steps: policy.steps, ackTimeout: .seconds(600))
        for (index, rig) in try await rigs(timed).enumerated() {
            let name = index == 0 ? "memory" : "sqlite"
            _ = try await rig.trigger()
            _ = try await rig.at(minutes: 15, from: start)   // step 3 of 3: the last
            do { let due = destinations(try await rig.at(minutes: 20, from: start)); XCTAssertEqual(due, [], "\(name): nothing more is due") }
            let waiting = try await rig.notifier.store.nextWakeUp()
            XCTAssertNil(waiting, "\(name): no wake-up for an escalation that waits for an acknowledgement")
            _ = try await rig.notifier.acknowledge(alertID: 1, by: "bob")
            do { let due = destinations(try await rig.at(minutes: 29.9, from: start)); XCTAssertEqual(due, [], name) }
            do { let due = destinations(try await rig.at(minutes: 30, from: start)); XCTAssertEqual(due, ["slack"], "\(name): re-triggered 10 minutes after the ack") }
            let alert = try await rig.notifier.store.alert(id: 1)
            XCTAssertEqual(alert?.status, .triggered, name)
        }
    }

    func testWithoutAckTimeoutTheEscalationEndsAfterTheLastStep() async throws {
        for rig in try await rigs() {
            _ = try await rig.trigger()
            _ = try await rig.at(minutes: 15, from: start)
            let escalation = try await rig.notifier.store.escalation(alertID: 1)
            XCTAssertNil(escalation)
        }
    }

    func testPermanentFailureOfAStepRunsTheNextAtOnce() async throws {
        for rig in try await rigs(smsScript: [.permanent(reason: "Twilio 21211: invalid To")]) {
            _ = try await rig.trigger()
            let fired = try await rig.at(minutes: 5, from: start)
            XCTAssertEqual(destinations(fired), ["sms to alice", "voice to bob"], "the voice step did not wait for minute 15")
            let log = try await rig.notifier.store.log(alertID: 1)
            XCTAssertTrue(log.contains { $0.note == "every delivery of the last step failed permanently: escalating now" })
        }
    }

    func testRetryableFailureGoesBackToTheOutbox() async throws {
        for rig in try await rigs(smsScript: [.retryable(reason: "HTTP 503", retryAfter: nil)]) {
            _ = try await rig.trigger()
            let first = try await rig.at(minutes: 5, from: start)
            XCTAssertEqual(first.map(\.report.outcome.label), ["retryable"])
            XCTAssertEqual(rig.sms.received.count, 4, "the Deliverer's attempts")
            rig.sms.setScript([.delivered(providerID: "SM1")])
            let later = try await rig.at(minutes: 7, from: start)   // requeued: tried again 30 s later at the earliest
            XCTAssertEqual(later.map(\.report.outcome), [.delivered(providerID: "SM1")])
        }
    }

    func testClaimsOfACrashedProcessAreTakenBackAtOnce() async throws {
        for store in try await TestStores.all().map(\.store) {
            let clock = ManualClock(now: start)
            let rig = Rig(store: store, clock: clock, policy: policy)
            let start = start
            _ = try await store.record([AlertEvent(kind: .failover, summary: "x", dedupKey: "db")], at: start, plan: { _ in
                EscalationPlan(starts: [.init(policy: "db", route: "db", dueAt: start)])
            })
            _ = try await store.fireDueEscalations(at: start, limit: 10, fire: { escalation, alert in rig.notifier.fire(escalation, alert: alert) })
            // A process on this host claimed the item and died (pid 999999 does not run here).
            let dead = LeaseOwner(pid: 999_999)
            let claimedByDead = try await store.claimOutbox(owner: dead, at: start, leaseFor: .seconds(300), limit: 10)
            XCTAssertEqual(claimedByDead.count, 1)
            // Its claim is void at once: this process takes the item over.
            let live = LeaseOwner()
            let takenOver = try await store.claimOutbox(owner: live, at: start, leaseFor: .seconds(300), limit: 10)
            XCTAssertEqual(takenOver.map(\.id), claimedByDead.map(\.id))
            // A live owner's claim holds until its lease runs out.
            let other = LeaseOwner()
            let held = try await store.claimOutbox(owner: other, at: start + 10, leaseFor: .seconds(300), limit: 10)
            XCTAssertEqual(held.count, 0)
            let expired = try await store.claimOutbox(owner: other, at: start + 301, leaseFor: .seconds(300), limit: 10)
            XCTAssertEqual(expired.map(\.id), claimedByDead.map(\.id))
        }
    }
}

extension ScriptedChannel {
    func setScript(_ script: [DeliveryOutcome]) {
        replaceScript(script)
    }
}
