@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import Foundation
import XCTest

/// `notify status` on the built binary: who runs on the state, what they hold, what is late.
final class StatusCommandTests: NotifyTestCase {
    private func config() throws -> String {
        try writeTemporaryConfig("channels: {out: {type: console}}\nroutes: [{notify: [out]}]\n")
    }

    func testOverdueWorkWithNobodyRunningExits69AndSaysSo() async throws {
        let state = temporaryStatePath()
        let store = try SQLiteAlertStore(path: state)
        let now = Date()
        try await store.write { tx in
            let id = try tx.insertAlert(Alert.sample())
            try tx.saveEscalation(EscalationState(alertID: id, policy: "p", route: "r", position: 1, dueAt: now - 120, startedAt: now - 300))
        }
        let result = try await NotifyProcess.run(["status", "--config", try config()], environment: ["NOTIFY_STATE": state])
        XCTAssertEqual(result.status, 69, result.stderr)
        XCTAssertTrue(result.stdout.contains("instances: none running"), result.stdout)
        XCTAssertTrue(result.stdout.contains("OVERDUE since"), result.stdout)
        XCTAssertTrue(result.stdout.contains("nothing is running to do it"), result.stdout)
    }

    func testRunningInstancesAndWhatTheyHoldAreListed() async throws {
        let state = temporaryStatePath()
        let store = try SQLiteAlertStore(path: state)
        let now = Date()
        try await store.write { tx in
            try tx.saveInstance(InstanceRow(owner: "dc-a-1/3121/9F2C11AB", role: "serve", startedAt: now - 600, lastSeen: now - 2))
            let id = try tx.insertOutbox(OutboxItem(id: 0, alertID: 1, target: OutboxTarget(channel: "out"), position: 0, action: .trigger, createdAt: now))
            try tx.saveOutbox(OutboxRow(item: OutboxItem(id: id, alertID: 1, target: OutboxTarget(channel: "out"), position: 0, action: .trigger, createdAt: now),
                                        state: .claimed(owner: "dc-a-1/3121/9F2C11AB", until: now + 30)))
            _ = try tx.insertOutbox(OutboxItem(id: 0, alertID: 2, target: OutboxTarget(channel: "out"), position: 0, action: .trigger, createdAt: now + 3600))
        }
        let result = try await NotifyProcess.run(["status", "--config", try config()], environment: ["NOTIFY_STATE": state])
        XCTAssertEqual(result.status, 0, result.stderr + result.stdout)
        XCTAssertTrue(result.stdout.contains("instances: 1 running"), result.stdout)
        XCTAssertTrue(result.stdout.contains("dc-a-1/3121/9F2C11AB  serve"), result.stdout)
        XCTAssertTrue(result.stdout.contains("holds 1 page, runs the detectors and digests"), result.stdout)
        XCTAssertTrue(result.stdout.contains("outbox:    1 page waiting"), result.stdout)
        let json = try await NotifyProcess.run(["status", "--config", try config(), "--output", "json"], environment: ["NOTIFY_STATE": state])
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["pending_pages"] as? Int, 1)
        XCTAssertEqual((object["instances"] as? [[String: Any]])?.first?["holding"] as? Int, 1)
    }
}
