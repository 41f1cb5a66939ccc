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
        let window = DispatchSemaphore(value: 8)
        let (stream, continuation) = AsyncStream.makeStream(of: Element.self)
        let descriptor = descriptor
        let maxLineBytes = maxLineBytes
        let thread = Thread {
            var splitter = LineSplitter(maxLineBytes: maxLineBytes)
            var buffer = [UInt8](repeating: 0, count: 256 * 1024)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                if count <= 0 { break }
                let lines = splitter.feed(buffer[0..<count])
                if lines.isEmpty { continue }
                window.wait()
                continuation.yield(lines)
            }
            if let last = splitter.finish() {
                window.wait()
                continuation.yield([last])
            }
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
