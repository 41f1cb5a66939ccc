@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import XCTest

final class EventStreamProcessorTests: NotifyTestCase {
    /// Feeds canned chunks as if they were read from a pipe.
    struct Chunks: AsyncSequence, Sendable {
        typealias Element = [LineSplitter.Line]
        let chunks: [[UInt8]]

        func makeAsyncIterator() -> AsyncStream<Element>.Iterator {
            var splitter = LineSplitter(maxLineBytes: 4096)
            var batches = chunks.map { splitter.feed($0) }
            if let last = splitter.finish() { batches.append([last]) }
            return AsyncStream { continuation in
                for batch in batches where !batch.isEmpty { continuation.yield(batch) }
                continuation.finish()
            }.makeAsyncIterator()
        }
    }

    func testTenThousandLinesWithRepeatedKeysAndMalformedLines() async throws {
        var lines: [String] = []
        var malformed: Set<Int> = []
        for index in 0..<10_000 {
            if index % 1_429 == 7 {
                lines.append(index % 2 == 0 ? "{not json" : #"{"kind":"failover","severity":"urgent","summary":"x"}"#)
                malformed.insert(index + 1)
            } else {
                lines.append(#"{"kind":"health_check_failure","environment":"prod","source":"web-\#(index % 50)","summary":"web-\#(index % 50) failed"}"#)
            }
        }
        let text = Array((lines.joined(separator: "\n") + "\n").utf8)
        let chunks = stride(from: 0, to: text.count, by: 65_536).map { Array(text[$0..<min($0 + 65_536, text.count)]) }
        let channel = ScriptedChannel(name: "a")
        let notifier = Notifier(channels: [channel],
            configuration: Configuration(routes: [Route(name: "all", channels: ["a"])]),
            clock: ManualClock())
        let invalid = LockedState<[EventValidationError]>([])
        let processor = EventStreamProcessor(notifier: notifier, onInvalidLine: { error in invalid.mutate { $0.append(error) } })
        let summary = try await processor.run(Chunks(chunks: chunks))

        XCTAssertEqual(malformed.count, 7)
        XCTAssertEqual(summary.lines, 10_000)
        XCTAssertEqual(summary.invalidLines, 7)
        XCTAssertEqual(summary.events, 9_993)
        XCTAssertEqual(summary.opened, 50)
        XCTAssertEqual(summary.deduplicated, 9_943)
        XCTAssertEqual(summary.delivered, 50)
        XCTAssertEqual(channel.received.count, 50)
        XCTAssertEqual(Set(invalid.value.compactMap(\.line)), malformed)
    }

    func testLinesAreSplitAcrossChunksAndOverlongLinesReported() {
        var splitter = LineSplitter(maxLineBytes: 10)
        XCTAssertEqual(splitter.feed(Array("ab".utf8)), [])
        XCTAssertEqual(splitter.feed(Array("c\r\n0123456789AB\nxy".utf8)), [
            .text(number: 1, bytes: Array("abc".utf8)),
            .tooLong(number: 2, limit: 10),
        ])
        XCTAssertEqual(splitter.feed(Array("z\n".utf8)), [.text(number: 3, bytes: Array("xyz".utf8))])
        XCTAssertEqual(splitter.feed(Array("tail".utf8)), [])
        XCTAssertEqual(splitter.finish(), .text(number: 4, bytes: Array("tail".utf8)))
        XCTAssertNil(splitter.finish())
    }

    func testAckOfUnknownKeyIsReportedAndTheStreamGoesOn() async throws {
        let channel = ScriptedChannel(name: "a")
        let notifier = Notifier(channels: [channel],
            configuration: Configuration(routes: [Route(name: "all", channels: ["a"])]),
            clock: ManualClock())
        let unknown = LockedState<[Int]>([])
        let processor = EventStreamProcessor(notifier: notifier, onIngested: { line, result in
            if result.transition.change == .unknownKey { unknown.mutate { $0.append(line) } }
        })
        let input = """
            {"action":"acknowledge","dedup_key":"nope"}

            {"kind":"failover","summary":"x","dedup_key":"db"}
            {"action":"acknowledge","dedup_key":"db"}

            """
        // One chunk ending in a newline: the four lines are one batch.
        let summary = try await processor.run(Chunks(chunks: [Array(input.utf8)]))
        XCTAssertEqual(unknown.value, [1])
        XCTAssertEqual(summary.unknownKeys, 1)
        XCTAssertEqual(summary.opened, 1)
        XCTAssertEqual(summary.acknowledged, 1)
        XCTAssertEqual(summary.lines, 4)
        // The acknowledge came in the same batch as the trigger, before the page went out:
        // someone is already on it, so the page is dropped rather than sent.
        XCTAssertEqual(channel.received.count, 0)
        let log = try await notifier.store.log(alertID: 1)
        XCTAssertEqual(log.map(\.change), [.opened, .escalated, .acknowledged])
        XCTAssertEqual(log.last?.note, "1 page not yet sent was dropped", "the timeline says why nobody was paged")
    }
}

extension EventStreamProcessorTests {
    private func escalating(_ store: any AlertStore, clock: ManualClock, slack: ScriptedChannel, sms: ScriptedChannel) -> Notifier {
        let policy = EscalationPolicy(name: "db", steps: [
            .init(after: .zero, targets: [RouteTarget(channel: "slack")]),
            .init(after: .seconds(2), targets: [RouteTarget(channel: "sms", contacts: ["alice"])]),
        ])
        return Notifier(store: store, channels: [slack, sms],
            configuration: Configuration(routes: [Route(name: "db", policy: "db")], policies: [policy], contacts: [Contact(name: "alice", phone: PhoneNumber("+14155550100"))]),
            clock: clock)
    }

    func testDueWorkRunsOnTimeWhileTheInputIsOpenAndIdle() async throws {
        for (name, store) in try await TestStores.all() {
            let clock = ManualClock()
            let (slack, sms) = (ScriptedChannel(name: "slack"), ScriptedChannel(name: "sms", medium: .sms))
            var processor = EventStreamProcessor(notifier: escalating(store, clock: clock, slack: slack, sms: sms))
            processor.poll = .milliseconds(50)
            let (lines, input) = AsyncStream.makeStream(of: [LineSplitter.Line].self)
            let running = Task { try await processor.run(lines) }
            input.yield([.text(number: 1, bytes: Array(#"{"kind":"failover","summary":"db failed over","dedup_key":"db"}"#.utf8))])
            let paged = await eventually { slack.received.count == 1 }
            XCTAssertTrue(paged, name)
            clock.advance(by: .seconds(2))  // the second step is due; no line arrives
            let escalated = await eventually(within: .seconds(1)) { sms.received.count == 1 }
            XCTAssertTrue(escalated, "\(name): the step due at 2 s waited for input")
            input.finish()
            _ = try await running.value
        }
    }

    func testARestartedWatchDeliversTheBacklogAtOnce() async throws {
        for (name, store) in try await TestStores.all() {
            let clock = ManualClock()
            let (slack, sms) = (ScriptedChannel(name: "slack"), ScriptedChannel(name: "sms", medium: .sms))
            // A run that recorded the alert and died before delivering.
            _ = try await escalating(store, clock: clock, slack: slack, sms: sms).ingest([AlertEvent(kind: .failover, summary: "db failed over", dedupKey: "db")])
            let processor = EventStreamProcessor(notifier: escalating(store, clock: clock, slack: slack, sms: sms))
            let (lines, input) = AsyncStream.makeStream(of: [LineSplitter.Line].self)
            let running = Task { try await processor.run(lines) }
            let delivered = await eventually(within: .seconds(1)) { slack.received.count == 1 }
            XCTAssertTrue(delivered, "\(name): the backlog waited for input")
            input.finish()
            _ = try await running.value
        }
    }
}
