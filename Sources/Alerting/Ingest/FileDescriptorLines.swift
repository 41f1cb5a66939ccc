import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Lines read from a file descriptor (standard input by default), as an async sequence of
/// batches: each batch is the lines completed by one `read`, so lines flow as they arrive and a
/// fast producer is read in large gulps.
///
/// Reading happens on a thread of its own: a blocking `read` works for pipes, terminals and
/// regular files alike (an event loop does not take regular files), and it never ties up the
/// concurrency pool. At most a few batches wait unconsumed; then the thread waits too.
public struct FileDescriptorLines: AsyncSequence, Sendable {
    public typealias Element = [LineSplitter.Line]

    let descriptor: Int32
    let maxLineBytes: Int

    public init(descriptor: Int32 = 0, maxLineBytes: Int = EventLimits().maxLineBytes) {
        self.descriptor = descriptor
        self.maxLineBytes = maxLineBytes
    }

    public func makeAsyncIterator() -> AsyncIterator {
        // Created at 0 and raised to 8: libdispatch traps (SIGILL) when a semaphore is freed
        // below the value it was created with, which is what a reader that stopped early (a
        // full disk mid-stream) would leave behind.
        let window = DispatchSemaphore(value: 0)
        for _ in 0..<8 { window.signal() }
        let (stream, continuation) = AsyncStream.makeStream(of: Element.self)
        // The consumer stopped: the thread stops reading rather than wait for it forever.
        let abandoned = LockedBox(false)
        continuation.onTermination = { _ in
            abandoned.withLock { $0 = true }
            window.signal()
        }
        let descriptor = descriptor
        let maxLineBytes = maxLineBytes
        let thread = Thread {
            var splitter = LineSplitter(maxLineBytes: maxLineBytes)
            var buffer = [UInt8](repeating: 0, count: 256 * 1024)
            func hand(_ lines: [LineSplitter.Line]) -> Bool {
                window.wait()
                guard !abandoned.withLock({ $0 }), case .enqueued = continuation.yield(lines) else { return false }
                return true
            }
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                if count <= 0 { break }
                let lines = splitter.feed(buffer[0..<count])
                if lines.isEmpty { continue }
                guard hand(lines) else { return }
            }
            if let last = splitter.finish(), !hand([last]) { return }
            continuation.finish()
        }
        thread.name = "notify-stdin"
        thread.start()
        return AsyncIterator(base: stream.makeAsyncIterator(), window: window)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncStream<Element>.AsyncIterator
        let window: DispatchSemaphore

        public mutating func next() async -> Element? {
            guard let batch = await base.next() else { return nil }
            window.signal()
            return batch
        }
    }
}
