import Alerting
import XCTest

final class RouterTests: XCTestCase {
    private func alert(kind: AlertKind = .failover, severity: Severity = .critical, environment: String? = "prod-us-east", source: String? = "db-1") -> Alert {
        AlertStateMachine.newAlert(id: 1, from: AlertEvent(kind: kind, severity: severity, environment: environment, source: source, summary: "s"), at: Date())
    }

    let router = Router(routes: [
        Route(name: "prod-urgent", matchers: [
            RouteMatcher(field: .environment, patterns: [GlobPattern("prod-*")]),
            RouteMatcher(field: .severity, patterns: [GlobPattern("critical"), GlobPattern("error")]),
        ], channels: ["slack"]),
        Route(name: "health", matchers: [RouteMatcher(field: .kind, patterns: [GlobPattern("health_*")])], channels: ["webhook"]),
        Route(name: "default", channels: ["console"]),
    ])

    func testFirstMatchingRouteWins() {
        XCTAssertEqual(router.route(for: alert())?.name, "prod-urgent")
        XCTAssertEqual(router.route(for: alert(kind: .healthCheckFailure, severity: .critical))?.name, "prod-urgent")
    }

    func testAllMatchersMustMatch() {
        XCTAssertEqual(router.route(for: alert(kind: .healthCheckFailure, severity: .warning))?.name, "health")
        XCTAssertEqual(router.route(for: alert(environment: "staging"))?.name, "default")
    }

    func testAlertWithoutTheFieldDoesNotMatchAPatternOnIt() {
        XCTAssertEqual(router.route(for: alert(environment: nil))?.name, "default")
    }

    func testNoDefaultRouteMeansNoRoute() {
        let strict = Router(routes: [Route(name: "only-prod", matchers: [RouteMatcher(field: .environment, patterns: [GlobPattern("prod")])], channels: ["x"])])
        XCTAssertNil(strict.route(for: alert(environment: "dev")))
    }

    func testGlobPatterns() {
        XCTAssertTrue(GlobPattern("prod-*").matches("prod-us-east"))
        XCTAssertFalse(GlobPattern("prod-*").matches("preprod-us"))
        XCTAssertTrue(GlobPattern("db-?").matches("db-1"))
        XCTAssertFalse(GlobPattern("db-?").matches("db-12"))
        XCTAssertTrue(GlobPattern("[ab]-east").matches("b-east"))
        XCTAssertTrue(GlobPattern("exact").matches("exact"))
        XCTAssertFalse(GlobPattern("exact").matches("exactly"))
    }
}
