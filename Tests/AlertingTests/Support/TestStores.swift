@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import AlertingPostgres
import Foundation
import XCTest

/// Every store the suites run against, each with a name a failure can show. A new store is
/// added here once and then runs every conformance test and every engine test that loops
/// over this list.
enum TestStores {
    static func all() async throws -> [(name: String, store: any AlertStore)] {
        var stores: [(name: String, store: any AlertStore)] = [("memory", MemoryAlertStore()), ("sqlite", try SQLiteAlertStore(path: temporaryStatePath()))]
        if let postgres = try await postgres() { stores.append(("postgres", postgres)) }
        return stores
    }

    /// The PostgreSQL server the tests use: `$NOTIFY_TEST_POSTGRES` (scripts/postgres-for-tests
    /// starts one and prints its URL). Without it the PostgreSQL runs are left out, unless
    /// `$NOTIFY_REQUIRE_POSTGRES` is set (as in CI): then its absence is an error.
    static var postgresURL: String? {
        get throws {
            let environment = ProcessInfo.processInfo.environment
            if let url = environment["NOTIFY_TEST_POSTGRES"], !url.isEmpty { return url }
            if environment["NOTIFY_REQUIRE_POSTGRES"].map({ !$0.isEmpty && $0 != "0" }) == true {
                throw XCTSkipFailure.missingPostgres
            }
            return nil
        }
    }

    /// A store in a schema of its own, empty, on the test server; nil when there is none.
    static func postgres() async throws -> PostgresAlertStore? {
        guard let url = try postgresURL else { return nil }
        return try await PostgresAlertStore(url: try postgresURL(url, schema: freshSchema()))
    }

    /// A new schema name, so each store starts empty and several share nothing.
    static func freshSchema() -> String {
        "t_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
    }

    /// `url` with its schema set to `schema`.
    static func postgresURL(_ url: String, schema: String) throws -> String {
        url + (url.contains("?") ? "&" : "?") + "schema=\(schema)"
    }
}

enum XCTSkipFailure: Error, CustomStringConvertible {
    case missingPostgres
    var description: String { "NOTIFY_REQUIRE_POSTGRES is set but NOTIFY_TEST_POSTGRES is not: the PostgreSQL tests cannot run (scripts/postgres-for-tests starts a server)" }
}
