import Alerting
import AlertingConfig
import AlertingSQLite
import ArgumentParser

/// The sysexits codes notify uses.
enum ExitStatus {
    static let usage = ExitCode(64)
    static let dataError = ExitCode(65)
    static let unavailable = ExitCode(69)
    static let ioError = ExitCode(74)
    static let tempFailure = ExitCode(75)
    /// EX_OSERR: the system refused a resource (`serve`'s address is in use).
    static let osError = ExitCode(71)
    /// EX_NOPERM: not allowed (`serve` on a privileged port).
    static let noPermission = ExitCode(77)
    static let configError = ExitCode(78)

    /// A permanent failure wins over a retryable one: retrying will not fix it.
    /// For a trigger: 75 while its alert's current step has not reached anyone yet, 69 when
    /// every page of it failed.
    static func forPages(_ pages: PageState?) -> ExitCode {
        switch pages {
        case .pending?, .inFlight?: tempFailure
        case .failed?: unavailable
        case .reached?, .notPaged?, nil: .success
        }
    }

    /// The most serious: 69 over 75 over 0.
    static func worst(_ statuses: [ExitCode]) -> ExitCode {
        if statuses.contains(unavailable) { return unavailable }
        if statuses.contains(tempFailure) { return tempFailure }
        return statuses.first { $0 != .success } ?? .success
    }

    static func forDeliveries(_ outcomes: [DeliveryOutcome]) -> ExitCode {
        if outcomes.contains(where: { if case .permanent = $0 { return true } else { return false } }) { return unavailable }
        if outcomes.contains(where: { if case .retryable = $0 { return true } else { return false } }) { return tempFailure }
        return .success
    }
}
