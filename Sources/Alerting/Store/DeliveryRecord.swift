import Foundation

/// One finished delivery of one alert to one channel, for the alert's timeline.
public struct DeliveryRecord: Sendable, Hashable {
    public var alertID: Int64
    public var report: DeliveryReport

    public init(alertID: Int64, report: DeliveryReport) {
        self.alertID = alertID
        self.report = report
    }
}
