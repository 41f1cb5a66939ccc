@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import Foundation

/// A channel whose deliveries hang until the test opens the gate: a slow or hung provider.
final class HoldingChannel: Channel, @unchecked Sendable {
    let name: String
    let template: TemplateSelector? = nil
    let capabilities: ChannelCapabilities
    private let state = LockedState<(open: Bool, waiting: [CheckedContinuation<Void, Never>], received: [Alerting.Notification])>((false, [], []))

    init(name: String, medium: ContactMedium? = nil) {
        self.name = name
        self.capabilities = ChannelCapabilities(medium: medium)
    }

    var received: [Alerting.Notification] { state.value.received }

    func open() {
        let waiting = state.mutate { state -> [CheckedContinuation<Void, Never>] in
            state.open = true
            defer { state.waiting = [] }
            return state.waiting
        }
        waiting.forEach { $0.resume() }
    }

    func deliver(_ notification: Alerting.Notification) async -> DeliveryOutcome {
        await withCheckedContinuation { continuation in
            let resumeNow = state.mutate { state -> Bool in
                state.received.append(notification)
                if state.open { return true }
                state.waiting.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
        return .delivered(providerID: nil)
    }
}

/// Polls `condition` in real time until it holds or `timeout` passes.
func eventually(within timeout: Duration = .seconds(2), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}
