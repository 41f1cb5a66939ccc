@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import Foundation

/// The engine's rules run in one transaction each, for tests that drive a store directly.
extension AlertStore {
    func record(_ events: [AlertEvent], at now: Date, plan: @escaping @Sendable (AlertTransition) -> EscalationPlan) async throws -> [AlertTransition] {
        try await write { try AlertRecorder.record(events, at: now, in: $0, plan: plan) }
    }

    func fireDueEscalations(at now: Date, limit: Int, fire: @escaping @Sendable (EscalationState, Alert) -> EscalationFiring) async throws -> Int {
        try await write { try EscalationFirer.fireDue(at: now, limit: limit, in: $0, fire: fire) }
    }

    func claimOutbox(owner: LeaseOwner, at now: Date, leaseFor: Duration, limit: Int) async throws -> [OutboxItem] {
        try await write { try OutboxQueue.claim(owner: owner, at: now, leaseFor: leaseFor, limit: limit, in: $0) }
    }

    func completeOutbox(_ item: OutboxItem, report: DeliveryReport, retryAt: Date?, at now: Date) async throws -> Bool {
        try await write { try OutboxQueue.complete(item, report: report, retryAt: retryAt, at: now, in: $0) }
    }

    func admitPage(contact: String, alertID: Int64, channel: String, at now: Date, storm: StormControl) async throws -> StormAdmission {
        try await write { try StormGate.admit(contact: contact, alertID: alertID, channel: channel, at: now, storm: storm, in: $0) }
    }
}
