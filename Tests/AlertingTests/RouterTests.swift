import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import XCTest

final class RouterTests: NotifyTestCase {
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

    private func detailed(_ details: [String: JSONValue], environment: String? = "prod-us-east") -> Alert {
        AlertStateMachine.newAlert(id: 1, from: AlertEvent(kind: .failover, environment: environment, source: "db-1", summary: "s", details: details), at: Date())
    }

    func testRegexMatchesTheWholeValue() throws {
        let matcher = RouteMatcher(field: .environment, op: .matchesRegex, patterns: [.regex(try WholeMatchRegex("prod-(us|eu)-.*"))])
        XCTAssertTrue(matcher.matches(detailed([:], environment: "prod-us-east")))
        XCTAssertFalse(matcher.matches(detailed([:], environment: "preprod-us-east")), "anchored at the start")
        XCTAssertFalse(matcher.matches(detailed([:], environment: "prod-ap-1")))
        XCTAssertFalse(matcher.matches(detailed([:], environment: nil)))
    }

    func testNegationMatchesAnAbsentField() throws {
        let notStaging = RouteMatcher(field: .environment, op: .notEquals, patterns: [.glob(GlobPattern("staging*"))])
        XCTAssertTrue(notStaging.matches(detailed([:], environment: "prod")))
        XCTAssertFalse(notStaging.matches(detailed([:], environment: "staging-2")))
        XCTAssertTrue(notStaging.matches(detailed([:], environment: nil)))
        let notTest = RouteMatcher(field: .source, op: .notMatchesRegex, patterns: [.regex(try WholeMatchRegex("test-.*"))])
        XCTAssertTrue(notTest.matches(detailed([:])))
    }

    func testDetailsAreMatchedByKey() {
        let gold = RouteMatcher(field: .detail("tier"), patterns: [GlobPattern("gold")])
        XCTAssertTrue(gold.matches(detailed(["tier": .string("gold")])))
        XCTAssertFalse(gold.matches(detailed(["tier": .string("silver")])))
        XCTAssertFalse(gold.matches(detailed([:])))
        XCTAssertTrue(RouteMatcher(field: .detail("port"), patterns: [GlobPattern("5432")]).matches(detailed(["port": .int(5432)])))
    }

    func testContinueKeepsMatchingLaterRoutes() {
        var audit = Route(name: "audit", channels: ["webhook"])
        audit.continueMatching = true
        let prod = Route(name: "prod", matchers: [RouteMatcher(field: .environment, patterns: [GlobPattern("prod-*")])], channels: ["slack"])
        let fallback = Route(name: "default", channels: ["console"])
        let router = Router(routes: [audit, prod, fallback])
        XCTAssertEqual(router.matchingRoutes(for: alert()).map(\.name), ["audit", "prod"], "prod does not continue: default is not reached")
        XCTAssertEqual(router.matchingRoutes(for: alert(environment: "staging")).map(\.name), ["audit", "default"])
        XCTAssertEqual(router.route(for: alert())?.name, "audit")
    }
}
