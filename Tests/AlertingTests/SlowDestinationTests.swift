import Alerting
@testable import AlertingSQLite
import Foundation
import XCTest

/// A slow or failing destination delays only itself (#19): the real binary against loopback
/// fakes, timed as an operator would time it, by when the pages arrive.
final class SlowDestinationTests: NotifyTestCase {
    private static let alerts = 64

    private func failovers(_ count: Int) -> Data {
        Data(((0..<count).map { #"{"kind":"failover","source":"db-\#($0)","summary":"db-\#($0) failed over"}"# }.joined(separator: "\n") + "\n").utf8)
    }

    /// When each page reached the healthy Slack, counted from the start of `notify watch`, with
    /// `hung` (a webhook URL that never answers) routed beside it, or alone.
    private func slackArrivals(slack: FakeHTTPServer, hung: String?) async throws -> [Duration] {
        let config = try writeTemporaryConfig("""
            delivery: {timeout: 1s, max_attempts: 1, max_concurrent: 16}
            channels:
              slack: {type: slack, webhook_url: "\(slack.baseURL)/slack"}
            \(hung.map { "  hung: {type: webhook, url: \"\($0)\"}" } ?? "")
            routes: [{notify: [\(hung == nil ? "slack" : "hung, slack")]}]
            """)
        let before = slack.requests.count
        let started = ContinuousClock.now
        let result = try await NotifyProcess.run(["watch", "--config", config], stdin: failovers(Self.alerts))
        XCTAssertEqual(result.status, hung == nil ? 0 : 75, "the hung channel's pages are owed, and said so: \(result.stderr.suffix(300))")
        let arrivals = slack.requests.dropFirst(before).filter { $0.path == "/slack" }.map { $0.arrived - started }.sorted()
        XCTAssertEqual(arrivals.count, Self.alerts, "every page reached Slack once")
        return arrivals
    }

    private func assertHealthyChannelKeepsItsOwnPace(hungURL: (FakeHTTPServer) -> String, hungServer: FakeHTTPServer? = nil,
                                                     slack: FakeHTTPServer, file: StaticString = #filePath, line: UInt = #line) async throws {
        let alone = try await slackArrivals(slack: slack, hung: nil)
        let beside = try await slackArrivals(slack: slack, hung: hungURL(hungServer ?? slack))
        let median = { (arrivals: [Duration]) in arrivals[arrivals.count / 2] }
        XCTAssertLessThanOrEqual(median(beside), median(alone) + .milliseconds(500),
                                 "median arrival \(median(beside)) beside a hung channel, \(median(alone)) alone", file: file, line: line)
        XCTAssertLessThanOrEqual(beside.last!, alone.last! + .seconds(1),
                                 "last arrival \(beside.last!) beside a hung channel, \(alone.last!) alone", file: file, line: line)
    }

    func testAHungChannelOnItsOwnHostDoesNotDelayAHealthyOne() async throws {
        let slack = try await FakeHTTPServer()
        let hung = try await FakeHTTPServer(hangingPaths: ["/hung"])
        try await assertHealthyChannelKeepsItsOwnPace(hungURL: { "\($0.baseURL)/hung" }, hungServer: hung, slack: slack)
        await slack.stop()
        await hung.stop()
    }

    func testAHungChannelOnTheSameHostDoesNotDelayAHealthyOne() async throws {
        let server = try await FakeHTTPServer(hangingPaths: ["/hung"])
        try await assertHealthyChannelKeepsItsOwnPace(hungURL: { "\($0.baseURL)/hung" }, slack: server)
        await server.stop()
    }

    /// 300 alerts paging one person by SMS through a gateway that fails 30% of its requests
    /// (500, 503, 429 with `Retry-After`, a hang past the timeout): every alert reaches her
    /// within 30 s, in few messages, and none twice.
    func testAStormToOnePersonThroughAFaultyGatewayReachesHerSoonInFewMessages() async throws {
        let faults: [FakeHTTPServer.Answer] = [
            .init(status: .internalServerError, body: "oops"),
            .init(status: .serviceUnavailable, body: "busy"),
            .init(status: .tooManyRequests, body: "slow down", headers: ["Retry-After": "1"]),
            .init(status: .ok, body: #"{"id":"late"}"#, delay: .seconds(3)),   // past the 1 s timeout: not known to be sent
        ]
        // Reproducible: the same faults at the same requests on every run.
        let gateway = try await FakeHTTPServer { _, number in
            var generator = SplitMix(seed: UInt64(number))
            return Double(generator.next() % 1000) / 1000 < 0.3 ? faults[Int(generator.next() % 4)] : .init(status: .ok, body: #"{"id":"sms-\#(number)"}"#)
        }
        let hook = try await FakeHTTPServer()
        let state = temporaryStatePath()
        let config = try writeTemporaryConfig("""
            delivery: {timeout: 1s, max_attempts: 4, initial_backoff: 100ms, max_backoff: 1s, max_concurrent: 16}
            channels:
              sms:
                type: http_sms
                url: "\(gateway.baseURL)/sms"
                body: {form: {to: "{{to_digits}}", text: "{{text}}"}}
                throttle: {limit: 1000, window: 1m}
              hook: {type: webhook, url: "\(hook.baseURL)/hook"}
            contacts:
              alice: {phone: "+14155550100"}
            routes: [{notify: [hook, {channel: sms, to: [alice]}]}]
            """)
        let count = 300
        let started = ContinuousClock.now
        let result = try await NotifyProcess.run(["watch", "--config", config], stdin: failovers(count), environment: ["NOTIFY_STATE": state])
        let elapsed = ContinuousClock.now - started
        XCTAssertEqual(result.status, 0, result.stderr.suffix(500).description)
        XCTAssertLessThan(elapsed, .seconds(30), "every page delivered or given up within 30 s")
        await gateway.stop()
        await hook.stop()

        let store = try SQLiteAlertStore(path: state)
        var reached = 0
        var twice: [Int64] = []
        for id in 1...Int64(count) {
            let deliveries = try await Timeline.load(alertID: id, from: store).entries.filter { $0.channel == "sms" && $0.what == "delivered" }
            if !deliveries.isEmpty { reached += 1 }
            if deliveries.count > 1 { twice.append(id) }
        }
        XCTAssertEqual(reached, count, "every alert reached alice by SMS")
        XCTAssertEqual(twice, [], "no alert reached her twice")
        let sent = gateway.requests.count
        XCTAssertLessThan(sent, 60, "a storm to one person is a few messages: \(sent) requests for \(count) alerts")
        XCTAssertEqual(hook.requests.count, count, "the webhook's pages went alongside")
    }
}

/// A small seeded generator, so a faulty fake fails the same requests on every run.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
