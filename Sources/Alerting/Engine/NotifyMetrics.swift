import CoreMetrics
import Foundation

/// What the engine counts, through swift-metrics: events received by kind, notifications by
/// channel and outcome, delivery latency, escalation lag. `notify serve` exports them as
/// Prometheus text at `/metrics`; a library user gets them in whatever backend they bootstrapped.
public struct NotifyMetrics: Sendable {
    /// Nil: swift-metrics' global `MetricsSystem` (a no-op unless someone bootstrapped it).
    let factory: (any MetricsFactory)?

    public init(factory: (any MetricsFactory)? = nil) {
        self.factory = factory
    }

    public static let eventsReceived = "notify_events_received_total"
    public static let notifications = "notify_notifications_total"
    public static let deliveryLatency = "notify_delivery_latency_seconds"
    public static let escalationLag = "notify_escalation_lag_seconds"
    public static let alerts = "notify_alerts"
    public static let invalidEvents = "notify_events_invalid_total"

    /// An event a sender posted that notify could not take, by endpoint.
    package func invalidEvent(endpoint: String) {
        counter(Self.invalidEvents, [("endpoint", endpoint)]).increment()
    }

    func eventReceived(_ kind: AlertKind, action: EventAction) {
        counter(Self.eventsReceived, [("kind", kind.rawValue), ("action", action.rawValue)]).increment()
    }

    /// One finished delivery: `outcome` is delivered, retryable, permanent or throttled; the
    /// latency runs from when the page was decided to when it went out.
    func delivered(_ report: DeliveryReport, latency: TimeInterval) {
        counter(Self.notifications, [("channel", report.channel), ("outcome", report.outcome.label),
                                     ("category", report.outcome.failureCategory?.rawValue ?? "none")]).increment()
        if report.outcome.isDelivered { timer(Self.deliveryLatency, [("channel", report.channel)]).recordNanoseconds(nanoseconds(latency)) }
    }

    /// How late an escalation step fired after it was due.
    func escalationFired(lag: TimeInterval) {
        timer(Self.escalationLag, []).recordNanoseconds(nanoseconds(lag))
    }

    /// Sets the gauge of alerts in one status (read from the store when metrics are scraped).
    public func alerts(status: AlertStatus, count: Int) {
        let dimensions = [("status", status.rawValue)]
        let gauge = factory.map { CoreMetrics.Gauge(label: Self.alerts, dimensions: dimensions, factory: $0) } ?? CoreMetrics.Gauge(label: Self.alerts, dimensions: dimensions)
        gauge.record(count)
    }

    private func counter(_ label: String, _ dimensions: [(String, String)]) -> CoreMetrics.Counter {
        factory.map { CoreMetrics.Counter(label: label, dimensions: dimensions, factory: $0) } ?? CoreMetrics.Counter(label: label, dimensions: dimensions)
    }

    private func timer(_ label: String, _ dimensions: [(String, String)]) -> CoreMetrics.Timer {
        factory.map { CoreMetrics.Timer(label: label, dimensions: dimensions, factory: $0) } ?? CoreMetrics.Timer(label: label, dimensions: dimensions)
    }

    private func nanoseconds(_ seconds: TimeInterval) -> Int64 {
        Int64(max(0, min(seconds, 1e9)) * 1_000_000_000)
    }
}
