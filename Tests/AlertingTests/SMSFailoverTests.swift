@testable import Alerting
@testable import AlertingConfig
import Foundation
import XCTest

/// `sms_failover`: a page tries each provider in order until one delivers, and the timeline
/// says which one did; providers can be limited to number prefixes.
final class SMSFailoverTests: NotifyTestCase {
    private func runtime(_ first: FakeHTTPServer, _ second: FakeHTTPServer, firstPrefixes: String = "", phone: String = "+14155550100") async throws -> NotifyRuntime {
        let config = try ConfigLoader(environment: [:]).parse("""
            channels:
              local: {type: http_sms, url: "\(first.baseURL)/sms", body: {form: {to: "{{to}}", text: "{{text}}"}}}
              global: {type: http_sms, url: "\(second.baseURL)/sms", body: {form: {to: "{{to}}", text: "{{text}}"}}}
              sms:
                type: sms_failover
                providers:
                  - {channel: local\(firstPrefixes.isEmpty ? "" : ", prefixes: [\(firstPrefixes)]")}
                  - global
            contacts:
              alice: {phone: "\(phone)"}
            routes:
              - notify: [{channel: sms, to: [alice]}]
            delivery: {max_attempts: 1}
            """)
        return try await NotifyRuntime(config: config, clock: ManualClock())
    }

    private var pages = 0

    /// A new alert each time, so each pages.
    private func page(_ runtime: NotifyRuntime) async throws -> (DeliveryReport?, Timeline) {
        pages += 1
        let result = try await runtime.notifier.process(AlertEvent(kind: .failover, severity: .critical, environment: "prod", source: "db-\(pages)", summary: "db failed over"))
        let timeline = try await runtime.notifier.timeline(alertID: try XCTUnwrap(result.alert?.id))
        return (result.reports.first, timeline)
    }

    func testAFailingProviderHandsThePageToTheNextAndTheTimelineSaysWhichReachedThePerson() async throws {
        let local = try await FakeHTTPServer(script: [.init(status: .serviceUnavailable, body: "down"), .init(status: .badRequest, body: "number blocked")])
        let global = try await FakeHTTPServer(script: [.init(status: .ok, body: "queued")])
        let runtime = try await runtime(local, global)
        let (report, timeline) = try await page(runtime)
        XCTAssertEqual(report?.outcome, .delivered(providerID: "global"))
        XCTAssertEqual(local.requests.count, 1)
        XCTAssertEqual(global.requests.first?.form["to"], "+14155550100")
        XCTAssertTrue(timeline.entries.contains { $0.channel == "sms" && $0.providerID == "global" }, "\(timeline.entries.map(\.text))")

        // A permanent refusal moves on at once too.
        let (second, _) = try await page(runtime)
        XCTAssertEqual(second?.outcome, .delivered(providerID: "global"))
        try await runtime.shutdown()
        await local.stop()
        await global.stop()
    }

    func testWhenEveryProviderFailsTheReasonNamesEachAndAnyRetryableOneMakesItRetryable() async throws {
        let local = try await FakeHTTPServer(script: [.init(status: .serviceUnavailable, body: ""), .init(status: .unauthorized, body: "")])
        let global = try await FakeHTTPServer(script: [.init(status: .unauthorized, body: "bad key")])
        let runtime = try await runtime(local, global)
        let (report, _) = try await page(runtime)
        XCTAssertEqual(report?.outcome, .retryable(reason: "local: HTTP 503; global: HTTP 401 bad key", retryAfter: nil))
        let (both, _) = try await page(runtime)
        XCTAssertEqual(both?.outcome, .permanent(reason: "local: HTTP 401; global: HTTP 401 bad key"))
        try await runtime.shutdown()
        await local.stop()
        await global.stop()
    }

    func testAProviderLimitedToPrefixesOnlyTakesThoseNumbers() async throws {
        let local = try await FakeHTTPServer(script: [.init(status: .ok, body: "")])
        let global = try await FakeHTTPServer(script: [.init(status: .ok, body: "")])
        let american = try await runtime(local, global, firstPrefixes: "\"+44\", \"+353\"")
        let (report, _) = try await page(american)
        XCTAssertEqual(report?.outcome, .delivered(providerID: "global"))
        XCTAssertTrue(local.requests.isEmpty, "local takes +44 and +353 only")
        try await american.shutdown()
        let british = try await runtime(local, global, firstPrefixes: "\"+44\"", phone: "+442071838750")
        let (local44, _) = try await page(british)
        XCTAssertEqual(local44?.outcome, .delivered(providerID: "local"))
        try await british.shutdown()
        await local.stop()
        await global.stop()
    }

    func testConfigErrorsNameTheProvider() {
        func error(_ providers: String) -> String {
            do {
                _ = try ConfigLoader(environment: [:]).parse("""
                    channels:
                      a: {type: http_sms, url: "http://127.0.0.1:1/sms", body: {form: {to: "{{to}}"}}}
                      v: {type: http_voice, url: "http://127.0.0.1:1/call", body: {form: {to: "{{to}}"}}}
                      hook: {type: webhook, url: "http://127.0.0.1:1/h"}
                      sms: {type: sms_failover, providers: \(providers)}
                    contacts: {alice: {phone: "+14155550100"}}
                    routes: [{notify: [{channel: sms, to: [alice]}]}]
                    """)
                return ""
            } catch {
                return "\(error)"
            }
        }
        XCTAssertTrue(error("[a, nope]").contains(#"channels.sms: no channel named "nope""#), error("[a, nope]"))
        XCTAssertTrue(error("[a, v]").contains("v (http_voice) does not reach people by sms"), error("[a, v]"))
        XCTAssertTrue(error("[a, hook]").contains("hook (webhook) does not reach people by sms"), error("[a, hook]"))
        XCTAssertTrue(error("[a, a]").contains("names a channel twice"), error("[a, a]"))
        XCTAssertTrue(error("[{channel: a, prefixes: [\"44\"]}]").contains(#""44" is not a number prefix such as +1 or +44"#), error("[{channel: a, prefixes: [\"44\"]}]"))
        XCTAssertEqual(error("[a, {channel: a2}]").isEmpty, false)
    }
}
