import Alerting
import AlertingConfig
import Prometheus

extension NotifyMetrics {
    /// Metrics kept in a Prometheus registry (what `/metrics` serves), with latency buckets
    /// from 10 ms to 10 minutes.
    public static func prometheus(_ registry: PrometheusCollectorRegistry) -> NotifyMetrics {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [.milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
                                                   .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(300), .seconds(600)]
        return NotifyMetrics(factory: factory)
    }
}
