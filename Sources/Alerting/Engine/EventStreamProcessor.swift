import Foundation

/// Runs a stream of NDJSON lines through a ``Notifier``: the library side of `notify watch`.
///
/// Lines are decoded and recorded in order, one store transaction per batch; deliveries run
/// concurrently (at most `maxConcurrentDeliveries` at once), so a slow gateway does not hold up
/// the stream. A bad line is reported through `onInvalidLine` and the stream goes on. `run`
/// returns when the input has ended and every delivery has finished.
public struct EventStreamProcessor: Sendable {
    public var notifier: Notifier
    public var decoder: EventDecoder
    public var maxConcurrentDeliveries: Int
    public var onInvalidLine: @Sendable (EventValidationError) -> Void
    /// Called for each ingested event, in stream order (acks of unknown keys, unrouted alerts...).
    public var onIngested: @Sendable (_ line: Int, IngestResult) -> Void
    public var onDelivered: @Sendable (PlannedDelivery, DeliveryReport) -> Void

    public init(
        notifier: Notifier,
        decoder: EventDecoder = EventDecoder(),
        maxConcurrentDeliveries: Int = 32,
        onInvalidLine: @escaping @Sendable (EventValidationError) -> Void = { _ in },
        onIngested: @escaping @Sendable (_ line: Int, IngestResult) -> Void = { _, _ in },
        onDelivered: @escaping @Sendable (PlannedDelivery, DeliveryReport) -> Void = { _, _ in }
    ) {
        self.notifier = notifier
        self.decoder = decoder
        self.maxConcurrentDeliveries = max(1, maxConcurrentDeliveries)
        self.onInvalidLine = onInvalidLine
        self.onIngested = onIngested
        self.onDelivered = onDelivered
    }

    public func run<Lines: AsyncSequence>(_ lines: Lines) async throws -> StreamSummary where Lines.Element == [LineSplitter.Line] {
        try await withThrowingTaskGroup(of: DeliveryReport.self) { group in
            var summary = StreamSummary()
            var inFlight = 0
            for try await batch in lines {
                var events: [AlertEvent] = []
                var eventLines: [Int] = []
                events.reserveCapacity(batch.count)
                for line in batch {
                    summary.lines += 1
                    switch line {
                    case .tooLong(let number, let limit):
                        summary.invalidLines += 1
                        onInvalidLine(EventValidationError(line: number, problems: [.init(field: nil, "line longer than \(limit) bytes")]))
                    case .text(let number, let bytes):
                        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }  // blank lines separate, they are not events
                        switch decoder.decode(bytes, line: number) {
                        case .success(let event):
                            events.append(event)
                            eventLines.append(number)
                        case .failure(let error):
                            summary.invalidLines += 1
                            onInvalidLine(error)
                        }
                    }
                }
                guard !events.isEmpty else { continue }
                let results = try await notifier.ingest(events)
                for (lineNumber, result) in zip(eventLines, results) {
                    summary.count(result)
                    onIngested(lineNumber, result)
                    for planned in result.deliveries {
                        if inFlight >= maxConcurrentDeliveries, let report = try await group.next() {
                            inFlight -= 1
                            summary.count(report)
                        }
                        group.addTask {
                            let report = await notifier.deliver(planned)
                            onDelivered(planned, report)
                            return report
                        }
                        inFlight += 1
                    }
                }
            }
            for try await report in group { summary.count(report) }
            return summary
        }
    }
}

/// Counts of what a stream did.
public struct StreamSummary: Sendable, Hashable, Codable {
    public var lines = 0
    public var events = 0
    public var invalidLines = 0
    public var opened = 0
    public var deduplicated = 0
    public var acknowledged = 0
    public var resolved = 0
    public var unknownKeys = 0
    public var unrouted = 0
    public var delivered = 0
    public var failedRetryable = 0
    public var failedPermanently = 0
    /// Held back by a contact's throttle; carried by the next message to them.
    public var throttled = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case lines, events, invalidLines = "invalid_lines", opened, deduplicated, acknowledged, resolved
        case unknownKeys = "unknown_keys", unrouted, delivered, failedRetryable = "failed_retryable"
        case failedPermanently = "failed_permanently", throttled
    }

    mutating func count(_ result: IngestResult) {
        events += 1
        switch result.transition.change {
        case .opened: opened += 1
        case .deduplicated: deduplicated += 1
        case .acknowledged, .alreadyAcknowledged: acknowledged += 1
        case .resolved: resolved += 1
        case .unknownKey: unknownKeys += 1
        }
        if result.unrouted { unrouted += 1 }
    }

    mutating func count(_ report: DeliveryReport) {
        switch report.outcome {
        case .delivered: delivered += 1
        case .retryable: failedRetryable += 1
        case .permanent: failedPermanently += 1
        case .throttled: throttled += 1
        }
    }
}
