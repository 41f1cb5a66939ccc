@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import Foundation
import XCTest

/// The engine's rules, each run against every store by the same code (a failure names the
/// store). These are the places where the two copies of the rules used to disagree.
final class RuleConformanceTests: NotifyTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func trigger(_ key: String = "k", environment: String = "prod", kind: AlertKind = .failover) -> AlertEvent {
        AlertEvent(kind: kind, environment: environment, source: "web-1", summary: "down", dedupKey: key)
    }

    private func startNow(_ route: String = "r") -> @Sendable (AlertTransition) -> EscalationPlan {
        let now = now
        return { transition in transition.change == .opened ? EscalationPlan(starts: [.init(policy: "p", route: route, dueAt: now)]) : .nothing }
    }

    func testADeduplicatedTriggerIsNotPlanned() async throws {
        for (name, store) in try await TestStores.all() {
            let planned = LockedState<[AlertTransition.Change]>([])
            let plan: @Sendable (AlertTransition) -> EscalationPlan = { transition in
                planned.mutate { $0.append(transition.change) }
                return .nothing
            }
            _ = try await store.record([trigger(), trigger(), AlertEvent(kind: .failover, action: .resolve, dedupKey: "k")], at: now, plan: plan)
            XCTAssertEqual(planned.value, [.opened, .resolved], name)
        }
    }

    func testAResolveInTheSameBatchFreesTheKey() async throws {
        for (name, store) in try await TestStores.all() {
            let changes = try await store.record([trigger(), AlertEvent(kind: .failover, action: .resolve, dedupKey: "k"), trigger()], at: now)
            XCTAssertEqual(changes.map(\.change), [.opened, .resolved, .opened], name)
            XCTAssertEqual(changes.map { $0.alert?.id }, [1, 1, 2], name)
        }
    }

    func testAcknowledgeDropsUnclaimedPagesAndSaysSo() async throws {
        for (name, store) in try await TestStores.all() {
            let now = now
            _ = try await store.record([trigger()], at: now, plan: startNow())
            _ = try await store.fireDueEscalations(at: now, limit: 10, fire: { _, _ in
                EscalationFiring(targets: [OutboxTarget(channel: "sms", recipient: "alice"), OutboxTarget(channel: "slack")], next: nil, note: "step 1")
            })
            let claimed = try await store.claimOutbox(owner: LeaseOwner(), at: now, leaseFor: .seconds(60), limit: 1)
            XCTAssertEqual(claimed.count, 1, name)
            _ = try await store.record([AlertEvent(kind: .failover, action: .acknowledge, dedupKey: "k", actor: "bob")], at: now)
            let left = try await store.read { try $0.outbox(alertID: 1) }
            XCTAssertEqual(left.map(\.item.id), claimed.map(\.id), "\(name): the claimed page stays, the pending one goes")
            let log = try await store.log(alertID: 1)
            XCTAssertEqual(log.last?.note, "1 page not yet sent was dropped", name)
        }
    }

    func testFallbackWaitsForEveryItemOfTheStepAndOnlyWhenAllFailedPermanently() async throws {
        for (name, store) in try await TestStores.all() {
            let now = now
            _ = try await store.record([trigger()], at: now, plan: startNow())
            _ = try await store.fireDueEscalations(at: now, limit: 10, fire: { _, _ in
                EscalationFiring(targets: [OutboxTarget(channel: "sms", recipient: "alice"), OutboxTarget(channel: "sms", recipient: "bob")],
                                 next: (1, now + 300), note: "step 1")
            })
            let items = try await store.claimOutbox(owner: LeaseOwner(), at: now, leaseFor: .seconds(60), limit: 10)
            XCTAssertEqual(items.count, 2, name)
            let failed = DeliveryReport(channel: "sms", recipient: "alice", attempts: [.init(startedAt: now, outcome: .permanent(reason: "invalid To"))])
            let first = try await store.completeOutbox(items[0], report: failed, retryAt: nil, at: now + 1)
            XCTAssertFalse(first, "\(name): bob's page is still out")
            let retried = try await store.completeOutbox(items[1], report: failed, retryAt: now + 30, at: now + 1)
            XCTAssertFalse(retried, "\(name): a page sent back to retry has not failed yet")
            let again = try await store.claimOutbox(owner: LeaseOwner(), at: now + 30, leaseFor: .seconds(60), limit: 10)
            XCTAssertEqual(again.map(\.id), [items[1].id], name)
            let last = try await store.completeOutbox(again[0], report: failed, retryAt: nil, at: now + 31)
            XCTAssertTrue(last, "\(name): every page of the step failed: the next step is due now")
            let escalation = try await store.escalation(alertID: 1)
            XCTAssertEqual(escalation?.dueAt, now + 31, name)
        }
    }

    func testAFallbackNeedsEveryPageToHaveFailed() async throws {
        for (name, store) in try await TestStores.all() {
            let now = now
            _ = try await store.record([trigger()], at: now, plan: startNow())
            _ = try await store.fireDueEscalations(at: now, limit: 10, fire: { _, _ in
                EscalationFiring(targets: [OutboxTarget(channel: "sms", recipient: "alice"), OutboxTarget(channel: "slack")],
                                 next: (1, now + 300), note: "step 1")
            })
            let items = try await store.claimOutbox(owner: LeaseOwner(), at: now, leaseFor: .seconds(60), limit: 10)
            let delivered = DeliveryReport(channel: "slack", attempts: [.init(startedAt: now, outcome: .delivered(providerID: nil))])
            let failed = DeliveryReport(channel: "sms", recipient: "alice", attempts: [.init(startedAt: now, outcome: .permanent(reason: "invalid To"))])
            let afterDelivered = try await store.completeOutbox(items[1], report: delivered, retryAt: nil, at: now + 1)
            let afterFailed = try await store.completeOutbox(items[0], report: failed, retryAt: nil, at: now + 2)
            XCTAssertFalse(afterDelivered || afterFailed, "\(name): slack got it: no fallback")
            let escalation = try await store.escalation(alertID: 1)
            XCTAssertEqual(escalation?.dueAt, now + 300, name)
        }
    }

    func testAnOlderBeatNeverMovesTheLastBeatBack() async throws {
        for (name, store) in try await TestStores.all() {
            let now = now
            try await store.write { tx in
                try HeartbeatDetector.recordBeat("backup", at: now + 60, in: tx)
                try HeartbeatDetector.recordBeat("backup", at: now, in: tx)
            }
            let beat = try await store.read { try $0.beat(name: "backup") }
            XCTAssertEqual(beat?.lastBeat, now + 60, name)
        }
    }

    func testAHeartbeatNeverSeenIsMissedOneIntervalAfterNotifyFirstLooked() async throws {
        for (name, store) in try await TestStores.all() {
            let detector = HeartbeatDetector(heartbeats: [Heartbeat(name: "backup", interval: .seconds(3600), grace: .seconds(60))])
            let now = now
            let first = try await store.write { try detector.check(DetectorContext(now: now, owner: "test"), in: $0) }
            XCTAssertEqual(first, [], name)
            let late = try await store.write { try detector.check(DetectorContext(now: now + 3660, owner: "test"), in: $0) }
            XCTAssertEqual(late.map(\.dedupKey), ["heartbeat_missed/backup"], name)
        }
    }

    func testContinuousFailureCountsOnlyItsGroupAndKind() async throws {
        for (name, store) in try await TestStores.all() {
            let detector = ContinuousFailureDetector(kind: .healthCheckFailure, threshold: 3, window: .seconds(600), per: .environment)
            let now = now
            _ = try await store.record([trigger("a", kind: .healthCheckFailure), trigger("b", environment: "staging", kind: .healthCheckFailure),
                                        trigger("c", kind: .failover), trigger("a", kind: .healthCheckFailure)], at: now)
            let (prod, staging) = try await store.read { tx in
                (try detector.failures(group: "prod", since: now - 600, in: tx), try detector.failures(group: "staging", since: now - 600, in: tx))
            }
            XCTAssertEqual(prod.count, 2, "\(name): two prod health-check triggers (one opened, one repeated)")
            XCTAssertEqual(staging.count, 1, name)
            let third = try await store.record([trigger("d", kind: .healthCheckFailure)], at: now + 1)
            let raised = try await store.read { try detector.react(to: third, context: DetectorContext(now: now + 1, owner: "test"), in: $0) }
            XCTAssertEqual(raised.map(\.dedupKey), ["continuous_failure/environment/prod"], name)
        }
    }

    func testStormGateHoldsPastTheCapAndFlushesOneDigest() async throws {
        for (name, store) in try await TestStores.all() {
            let storm = StormControl(maxNewAlerts: 2, window: .seconds(600), digestWait: .seconds(60))
            let now = now
            _ = try await store.record([trigger("a"), trigger("b"), trigger("c"), trigger("d")], at: now)
            var admissions: [StormAdmission] = []
            for id in Int64(1)...4 {
                admissions.append(try await store.admitPage(contact: "alice", alertID: id, channel: "sms", at: now, storm: storm))
            }
            XCTAssertEqual(admissions, [.send, .send, .held(digestAt: now + 60), .held(digestAt: now + 60)], name)
            _ = try await store.record([AlertEvent(kind: .failover, action: .resolve, dedupKey: "c")], at: now)
            let early = try await store.write { try StormGate.flushDigests(at: now + 59, in: $0) }
            XCTAssertEqual(early, 0, name)
            let queued = try await store.write { try StormGate.flushDigests(at: now + 60, in: $0) }
            XCTAssertEqual(queued, 1, name)
            let items = try await store.claimOutbox(owner: LeaseOwner(), at: now + 60, leaseFor: .seconds(60), limit: 10)
            XCTAssertEqual(items.map(\.alertID), [4], "\(name): the newest live alert")
            XCTAssertEqual(items.map(\.digestOf), [[]], "\(name): the resolved one left the digest")
        }
    }
}
