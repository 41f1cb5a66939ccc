import Alerting
import AlertingConfig
import AlertingSQLite
import AlertingPostgres
import Foundation
import Logging

/// Opens the store a resolved state location names: a PostgreSQL URL, `:memory:`, or an
/// SQLite file. The CLI is the one place that knows every store.
enum StateStores {
    /// - Parameter waiting: when a PostgreSQL database does not answer, wait for it (with
    ///   backoff, said once) instead of throwing: a daemon started while the database restarts
    ///   comes up when it does.
    static func open(_ location: String, waiting: Bool, logger: Logger) async throws -> any AlertStore {
        guard PostgresLocation.isPostgres(location) else { return try StateLocation.openStore(at: location) }
        let postgres = try PostgresLocation(location)
        var backoff = Duration.milliseconds(500)
        var said = false
        while true {
            do {
                return try await PostgresAlertStore(location: postgres, logger: logger)
            } catch PostgresStoreError.unreachable(let why) where waiting {
                if !said { Diagnostics.warning("waiting for PostgreSQL at \(postgres): \(why)") }
                said = true
                try await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(15))
            }
        }
    }
}
