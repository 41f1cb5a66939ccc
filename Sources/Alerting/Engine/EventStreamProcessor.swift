import Foundation

/// Runs a stream of NDJSON lines through a ``Notifier``: the library side of `notify watch`.
///
/// Lines are decoded and recorded in order, one store transaction per batch. A delivery worker
/// runs beside the reader and does whatever is due (``Notifier/runDue()``) at once when it
/// starts (a crashed run's backlog), after each batch, and when the next step or retry comes
/// due, whether or not a line arrives: a slow gateway never holds up the stream, and an idle
/// stream never holds up a page. A bad line is reported through `onInvalidLine`
/// and the stream goes on. `run` returns when the input has ended and everything due by then
/// has been delivered; later escalation steps stay in the store for the next runner.
public struct EventStreamProcessor: Sendable {
    public var notifier: Notifier
    public var decoder: EventDecoder
    public var onInvalidLine: @Sendable (EventValidationError) -> Void
    /// Called for each ingested event, in stream order (acks of unknown keys, unrouted alerts...).
    public var onIngested: @Sendable (_ line: Int, IngestResult) -> Void
    public var onDelivered: @Sendable (OutboxDelivery) -> Void
    /// How often the worker looks for due work at the latest while the input is idle.
    public var poll: Duration = .seconds(1)

    public init(
        notifier: Notifier,
        decoder: EventDecoder = EventDecoder(),
        onInvalidLine: @escaping @Sendable (EventValidationError) -> Void = { _ in },
        onIngested: @escaping @Sendable (_ line: Int, IngestResult) -> Void = { _, _ in },
        onDelivered: @escaping @Sendable (OutboxDelivery) -> Void = { _ in }
    ) {
        self.notifier = notifier
        self.decoder = decoder
        self.onInvalidLine = onInvalidLine
        self.onIngested = onIngested
        self.onDelivered = onDelivered
    }

    /// - Parameter stop: when it is set, reading stops; lines already read are recorded, what
    ///   is in flight finishes or goes back to the outbox, and `run` returns.
    /// - Throws: the store error that stopped the stream (a full disk, say): everything recorded
    ///   before it was delivered first, as far as the store lets outcomes be recorded.
    public func run<Lines: AsyncSequence & Sendable>(_ lines: Lines, stop: StopSignal = StopSignal()) async throws -> StreamSummary
    where Lines.Element == [LineSplitter.Line] {
        // One pending wake-up is enough: the worker does everything due each time it runs.
        let wake = WakeSignal()
        let inputEnded = LockedBox(false)
        let notifier = notifier
        let onDelivered = onDelivered
        let poll = poll
        stop.whenStopped { wake.signal() }
        let worker = Task { () throws -> StreamSummary in try await notifier.reportingAlive(role: "watch") {
            var deliveries = StreamSummary()
            func drain() async throws {
                for delivery in try await notifier.runDue(stop: stop) {
                    deliveries.count(delivery.report)
                    onDelivered(delivery)
                }
            }
            while !inputEnded.withLock({ $0 }), !stop.isStopped {
                try await drain()
                // Until the next due time by the engine's clock, at most `poll`, waited in real
                // time: a manual clock in tests must not run ahead while the input is idle.
                var wait = poll
                if let next = try await notifier.store.nextWakeUp() {
                    wait = min(poll, max(.milliseconds(10), .milliseconds(Int64(next.timeIntervalSince(notifier.clock.now()) * 1000))))
                }
                try await wake.wait(upTo: wait, clock: SystemClock())
            }
            try await drain()
            return deliveries
        } }
        func endInput() {
            inputEnded.withLock { $0 = true }
            wake.signal()
        }
        // Reading in a task of its own: stopping cancels it even while the input is idle.
        let reading = Task { () throws -> StreamSummary in
            var summary = StreamSummary()
            for try await batch in lines {
                try await ingest(batch, into: &summary)
                wake.signal()
            }
            return summary
        }
        stop.whenStopped { reading.cancel() }
        var summary: StreamSummary
        do {
            summary = try await reading.value
        } catch {
            // A store error (a full disk): stop reading, deliver what was recorded, say it.
            endInput()
            _ = try? await worker.value
            throw error
        }
        endInput()
        summary.add(deliveriesOf: try await worker.value)
        return summary
    }

    private func ingest(_ batch: [LineSplitter.Line], into summary: inout StreamSummary) async throws {
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
        guard !events.isEmpty else { return }
        // Lines already read are recorded even if the stream is being stopped (SIGTERM).
        let notifier = notifier
        let results = try await Task { try await notifier.ingest(events) }.value
        for (lineNumber, result) in zip(eventLines, results) {
            summary.count(result)
            onIngested(lineNumber, result)
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
        case .escalated, .retriggered, .heartbeat: break
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

    mutating func add(deliveriesOf other: StreamSummary) {
        delivered += other.delivered
        failedRetryable += other.failedRetryable
        failedPermanently += other.failedPermanently
        throttled += other.throttled
    }
}
