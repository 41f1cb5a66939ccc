/// One step of transmission, as Alertmanager's notify pipeline is a list of stages: it works
/// on one prepared delivery and passes it on, or ends it with a report. The engine's stages are
/// ``RenderStage`` and ``SendStage``; yours go between them (``Configuration/Delivery/stages``):
/// a stage that adds a runbook link to every body, one that copies pages to an audit log,
/// one that refuses pages to a channel under maintenance.
///
/// A stage runs outside any store transaction, once per delivery, and may take its time: a
/// slow stage delays its own delivery, never another channel's.
public protocol TransmissionStage: Sendable {
    /// For logs and docs: `render`, `send`.
    var name: String { get }
    func transmit(_ delivery: PreparedDelivery) async -> TransmissionStep
}

/// What a stage made of a delivery.
public enum TransmissionStep: Sendable {
    /// Go on to the next stage with this (perhaps changed) delivery.
    case next(PreparedDelivery)
    /// Done: this is what came of it (delivered, or why not).
    case finished(DeliveryReport)
}
