import Alerting
import ArgumentParser

/// The sysexits codes notify uses.
enum ExitStatus {
    static let usage = ExitCode(64)
    static let dataError = ExitCode(65)
    static let unavailable = ExitCode(69)
    static let ioError = ExitCode(74)
    static let tempFailure = ExitCode(75)
    static let configError = ExitCode(78)

    /// A permanent failure wins over a retryable one: retrying will not fix it.
    static func forDeliveries(_ outcomes: [DeliveryOutcome]) -> ExitCode {
        if outcomes.contains(where: { if case .permanent = $0 { return true } else { return false } }) { return unavailable }
        if outcomes.contains(where: { if case .retryable = $0 { return true } else { return false } }) { return tempFailure }
        return .success
    }
}
