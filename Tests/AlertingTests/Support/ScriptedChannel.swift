@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import Foundation

/// A channel that answers from a script and records what it was given: for engine tests that
/// are about decisions, not HTTP.
final class ScriptedChannel: Channel, @unchecked Sendable {
    let name: String
    let template: TemplateSelector?
    let capabilities: ChannelCapabilities
    private let state = LockedState<(script: [DeliveryOutcome], received: [Alerting.Notification])>(([], []))

    init(name: String, script: [DeliveryOutcome] = [.delivered(providerID: nil)], template: TemplateSelector? = nil, medium: ContactMedium? = nil) {
        self.name = name
        self.template = template
        self.capabilities = ChannelCapabilities(medium: medium)
        state.value.script = script
    }

    var received: [Alerting.Notification] { state.value.received }

    func replaceScript(_ script: [DeliveryOutcome]) { state.mutate { $0.script = script } }

    func deliver(_ notification: Alerting.Notification) async -> DeliveryOutcome {
        state.mutate { state in
            state.received.append(notification)
            if state.script.count > 1 { return state.script.removeFirst() }
            return state.script.first ?? .delivered(providerID: nil)
        }
    }
}

extension Alert {
    static func sample(id: Int64 = 1, kind: AlertKind = .failover) -> Alert {
        AlertStateMachine.newAlert(id: id, from: AlertEvent(kind: kind, environment: "prod", source: "db-1", summary: "s"), at: Date(timeIntervalSince1970: 1_800_000_000))
    }
}
