/// The stages a prepared delivery goes through once admitted, in order: render → (your
/// stages) → send. The outcome is then recorded by the engine, in a small batch, within a
/// moment of the provider's answer. docs/architecture.md lists admission and these in one list.
public struct Transmission: Sendable {
    public let stages: [any TransmissionStage]

    public init(stages: [any TransmissionStage]) {
        self.stages = stages
    }

    /// Runs the stages in order until one finishes the delivery.
    public func run(_ delivery: PreparedDelivery, clock: any AlertingClock = SystemClock()) async -> DeliveryReport {
        var delivery = delivery
        for stage in stages {
            switch await stage.transmit(delivery) {
            case .next(let next): delivery = next
            case .finished(let report): return report
            }
        }
        return delivery.report(.permanent(reason: "no stage sent it (the last stage must be a send)"), at: clock.now())
    }
}
