import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import XCTest

final class EventDecoderTests: NotifyTestCase {
    let decoder = EventDecoder(makeUniqueKey: { "generated-key" })

    private func decode(_ json: String, line: Int? = nil) -> Result<AlertEvent, EventValidationError> {
        decoder.decode(Array(json.utf8), line: line)
    }

    private func event(_ json: String, file: StaticString = #filePath, line: UInt = #line) throws -> AlertEvent {
        switch decode(json) {
        case .success(let event): return event
        case .failure(let error):
            XCTFail("unexpected error: \(error)", file: file, line: line)
            throw error
        }
    }

    private func error(_ json: String, line: Int? = nil, file: StaticString = #filePath, fileLine: UInt = #line) -> String {
        switch decode(json, line: line) {
        case .success(let event):
            XCTFail("expected an error, got \(event)", file: file, line: fileLine)
            return ""
        case .failure(let error): return error.description
        }
    }

    func testFullNativeEventDecodes() throws {
        let event = try event("""
            {"kind":"failover","action":"trigger","severity":"critical","environment":"prod-us-east",
             "source":"db-primary-1","summary":"Primary failed health checks; promoted db-secondary-2",
             "dedup_key":"db-prod","details":{"from":"db-primary-1","to":"db-secondary-2","lag_ms":120},
             "timestamp":"2026-11-24T10:00:00Z","links":[{"href":"https://runbooks/db","text":"runbook"}]}
            """)
        XCTAssertEqual(event.kind, .failover)
        XCTAssertEqual(event.action, .trigger)
        XCTAssertEqual(event.severity, .critical)
        XCTAssertEqual(event.environment, "prod-us-east")
        XCTAssertEqual(event.source, "db-primary-1")
        XCTAssertEqual(event.dedupKey, "db-prod")
        XCTAssertEqual(event.details["to"], .string("db-secondary-2"))
        XCTAssertEqual(event.details["lag_ms"], .int(120))
        XCTAssertEqual(event.timestamp, Date(timeIntervalSince1970: 1_795_514_400))
        XCTAssertEqual(event.links, [Link(href: "https://runbooks/db", text: "runbook")])
    }

    func testSeverityInAnyCase() throws {
        XCTAssertEqual(try event(#"{"kind":"failover","summary":"x","severity":"CRITICAL"}"#).severity, .critical)
        XCTAssertEqual(try event(#"{"kind":"failover","summary":"x","severity":"Warning"}"#).severity, .warning)
        XCTAssertEqual(try event(#"{"kind":"failover","summary":"x","action":"Resolve","dedup_key":"k"}"#).action, .resolve)
    }

    func testSeverityDefaultsByKind() throws {
        XCTAssertEqual(try event(#"{"kind":"failover","summary":"x"}"#).severity, .critical)
        XCTAssertEqual(try event(#"{"kind":"continuous_failure","summary":"x"}"#).severity, .critical)
        XCTAssertEqual(try event(#"{"kind":"health_check_failure","summary":"x"}"#).severity, .warning)
        XCTAssertEqual(try event(#"{"kind":"disk.full","summary":"x"}"#).severity, .error)
    }

    func testDedupKeyDefaultsToKindEnvironmentSource() throws {
        let first = try event(#"{"kind":"health_check_failure","environment":"prod","source":"web-1","summary":"a"}"#)
        let second = try event(#"{"kind":"health_check_failure","environment":"prod","source":"web-1","summary":"b","severity":"critical"}"#)
        let other = try event(#"{"kind":"health_check_failure","environment":"prod","source":"web-2","summary":"a"}"#)
        XCTAssertEqual(first.dedupKey, second.dedupKey)
        XCTAssertNotEqual(first.dedupKey, other.dedupKey)
        XCTAssertEqual(first.dedupKey, "health_check_failure/prod/web-1")
    }

    func testUnknownFieldsAreIgnored() throws {
        let event = try event(#"{"kind":"failover","summary":"x","future_field":{"a":1},"priority":3}"#)
        XCTAssertEqual(event.kind, .failover)
    }

    func testUnknownSeverityNamesTheLineFieldAndAllowedValues() {
        XCTAssertEqual(
            error(#"{"kind":"failover","summary":"x","severity":"urgent"}"#, line: 12),
            #"line 12: field "severity": "urgent" is not one of critical, error, warning, info"#)
    }

    func testEveryProblemOfALineIsReported() {
        let message = error(#"{"kind":"Bad Kind","severity":"urgent","action":"page"}"#, line: 3)
        XCTAssertTrue(message.hasPrefix("line 3: "), message)
        XCTAssertTrue(message.contains(#"field "kind": "Bad Kind" is not valid"#), message)
        XCTAssertTrue(message.contains(#"field "severity""#), message)
        XCTAssertTrue(message.contains(#"field "action": "page" is not one of trigger, acknowledge, resolve"#), message)
    }

    func testTriggerNeedsASummary() {
        XCTAssertEqual(error(#"{"kind":"failover"}"#), #"field "summary": missing (required for a trigger)"#)
        XCTAssertEqual(error(#"{"kind":"failover","summary":"   "}"#), #"field "summary": missing (required for a trigger)"#)
    }

    func testSummaryLongerThan1024CharactersIsRefused() {
        let long = String(repeating: "é", count: 1025)
        XCTAssertTrue(error(#"{"kind":"failover","summary":"\#(long)"}"#).contains("longer than 1024 characters"))
        XCTAssertNoThrow(try event(#"{"kind":"failover","summary":"\#(String(repeating: "é", count: 1024))"}"#))
    }

    func testWrongTypesAreErrors() {
        XCTAssertEqual(error(#"{"kind":"failover","summary":42}"#), #"field "summary": expected a string, got a number"#)
        XCTAssertEqual(error(#"{"kind":"failover","summary":"x","details":[1]}"#), #"field "details": expected an object, got an array"#)
        XCTAssertEqual(error(#"{"kind":"failover","summary":"x","links":[{"text":"t"}]}"#), #"field "links[0].href": missing (required)"#)
        XCTAssertEqual(error(#"{"kind":"failover","summary":"x","timestamp":"yesterday"}"#), #"field "timestamp": "yesterday" is not an RFC 3339 time such as 2026-11-24T10:00:00Z"#)
    }

    func testDetailsAreCappedAt64KiB() {
        let big = String(repeating: "x", count: 70_000)
        XCTAssertTrue(error(#"{"kind":"failover","summary":"x","details":{"blob":"\#(big)"}}"#).contains("more than the limit of 65536"))
    }

    func testNotJSONAndNotAnObjectAreExplained() {
        XCTAssertTrue(error("garbage", line: 2).hasPrefix("line 2: not valid JSON"))
        XCTAssertEqual(error("[1,2]"), "expected a JSON object, got an array")
        XCTAssertTrue(error(#"{"kind":"failover""#).hasPrefix("not valid JSON"))
    }

    func testAcknowledgeByDedupKeyNeedsNoKind() throws {
        let event = try event(#"{"action":"acknowledge","dedup_key":"db-prod"}"#)
        XCTAssertEqual(event.action, .acknowledge)
        XCTAssertEqual(event.dedupKey, "db-prod")
        XCTAssertEqual(error(#"{"action":"resolve"}"#), #"field "kind": missing (required when there is no dedup_key)"#)
    }

    func testResolveByKindEnvironmentSourceFindsTheSameKey() throws {
        let trigger = try event(#"{"kind":"health_check_failure","environment":"prod","source":"web-1","summary":"down"}"#)
        let resolve = try event(#"{"kind":"health_check_failure","environment":"prod","source":"web-1","action":"resolve"}"#)
        XCTAssertEqual(trigger.dedupKey, resolve.dedupKey)
    }

    func testPagerDutyTriggerMapsOntoTheModel() throws {
        let event = try event("""
            {"routing_key":"R0123456789","event_action":"trigger","dedup_key":"srv01/HTTP",
             "payload":{"summary":"HTTP down on srv01","source":"srv01.example.com","severity":"error",
                        "group":"prod-datapipe","class":"http_check","component":"nginx",
                        "custom_details":{"status":503},"timestamp":"2026-11-24T10:00:00.123Z"},
             "links":[{"href":"https://grafana/d/1","text":"dashboard"}],
             "client":"Monitor","client_url":"https://monitor/1"}
            """)
        XCTAssertEqual(event.action, .trigger)
        XCTAssertEqual(event.kind.rawValue, "http_check")
        XCTAssertEqual(event.severity, .error)
        XCTAssertEqual(event.source, "srv01.example.com")
        XCTAssertEqual(event.environment, "prod-datapipe")
        XCTAssertEqual(event.summary, "HTTP down on srv01")
        XCTAssertEqual(event.dedupKey, "srv01/HTTP")
        XCTAssertEqual(event.details["component"], .string("nginx"))
        XCTAssertEqual(event.details["status"], .int(503))
        XCTAssertEqual(event.links.count, 2)
        XCTAssertEqual(event.links.last, Link(href: "https://monitor/1", text: "Monitor"))
        XCTAssertNotNil(event.timestamp)
    }

    func testPagerDutyTriggerWithoutDedupKeyOpensANewAlertEachTime() throws {
        let event = try event(#"{"event_action":"trigger","payload":{"summary":"s","source":"h","severity":"info"}}"#)
        XCTAssertEqual(event.dedupKey, "generated-key")
        XCTAssertEqual(event.kind, .pagerDuty)
    }

    func testPagerDutyErrorsNameThePayloadPath() {
        let message = error(#"{"event_action":"trigger","payload":{"summary":"s","severity":"urgent"}}"#, line: 9)
        XCTAssertEqual(message, #"line 9: field "payload.source": missing (required for a trigger); field "payload.severity": "urgent" is not one of critical, error, warning, info"#)
        XCTAssertEqual(error(#"{"event_action":"resolve"}"#), #"field "dedup_key": missing (required to resolve)"#)
        XCTAssertEqual(error(#"{"event_action":"snooze","dedup_key":"k"}"#), #"field "event_action": "snooze" is not one of trigger, acknowledge, resolve"#)
    }

    func testPagerDutyAcknowledgeNeedsOnlyTheKey() throws {
        let event = try event(#"{"routing_key":"r","event_action":"acknowledge","dedup_key":"srv01/HTTP"}"#)
        XCTAssertEqual(event.action, .acknowledge)
        XCTAssertEqual(event.dedupKey, "srv01/HTTP")
    }
}
