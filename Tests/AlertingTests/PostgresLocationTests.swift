import AlertingPostgres
@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import XCTest

/// The PostgreSQL state URL: what it takes, what it refuses, and that it never shows the password.
final class PostgresLocationTests: NotifyTestCase {
    func testAURLIsReadAndShownWithoutItsPassword() throws {
        let location = try PostgresLocation("postgres://notify:s3cr%40t@db.internal:6432/alerts?sslmode=require&schema=ops")
        XCTAssertEqual(location.host, "db.internal")
        XCTAssertEqual(location.port, 6432)
        XCTAssertEqual(location.user, "notify")
        XCTAssertEqual(location.database, "alerts")
        XCTAssertEqual(location.sslMode, "require")
        XCTAssertEqual(location.schema, "ops")
        XCTAssertEqual(location.description, "postgres://notify:***@db.internal:6432/alerts?sslmode=require&schema=ops")
        XCTAssertEqual(StateLocation.redacted("postgresql://notify:s3cr%40t@db.internal/alerts"), "postgresql://notify:***@db.internal/alerts")
        XCTAssertEqual(StateLocation.redacted("/var/lib/notify/state.db"), "/var/lib/notify/state.db")
    }

    func testBadURLsSayWhat() {
        for (url, expected) in [("postgres://", "expected postgres://"), ("postgres://u:p@h/db?sslmode=sometimes", "sslmode must be"),
                                ("postgres://u:p@h/db?schema=a;drop", "schema must be"), ("postgres://u:p@h/db?pool=3", "unknown parameter pool")] {
            XCTAssertThrowsError(try PostgresLocation(url), url) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(url): \(error)")
                XCTAssertFalse("\(error)".contains(":p@"), "\(url): the password shows")
            }
        }
    }

    func testAnUnreachableDatabaseIsSaidQuicklyWithoutThePassword() async throws {
        var location = try PostgresLocation("postgres://notify:hunter2@127.0.0.1:1/notify?sslmode=disable")
        location.connectTimeout = .seconds(1)
        let started = ContinuousClock.now
        do {
            _ = try await PostgresAlertStore(location: location)
            XCTFail("connected to port 1?")
        } catch {
            XCTAssertTrue("\(error)".contains("cannot connect to 127.0.0.1:1"), "\(error)")
            XCTAssertFalse("\(error)".contains("hunter2"))
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5))
    }
}
