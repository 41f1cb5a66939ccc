import Alerting
import NIOCore

/// `server.max_connections`: the connections `notify serve` holds at most. One beyond it may
/// ask `GET /healthz` (a load balancer's check must hear an answer, not a refused connection);
/// anything else it asks, or nothing within half a second, closes it at once. So a flood of
/// idle or half-open connections cannot use up the descriptors the store, the providers and
/// the health check need, and established connections keep working.
final class ConnectionLimit: Sendable {
    let maximum: Int
    private let open = LockedBox(0)

    init(maximum: Int) {
        self.maximum = maximum
    }

    /// How long a connection beyond the limit has to ask for `/healthz`.
    static let grace = TimeAmount.milliseconds(500)

    /// For Hummingbird's `additionalChannelHandlers`, which sit after the HTTP decoder: it puts
    /// the handler that reads the first bytes in front of the pipeline.
    func installer() -> Installer { Installer(limit: self) }

    /// Counts one more; true when it is beyond the limit.
    fileprivate func opened() -> Bool { open.withLock { count in count += 1; return count > maximum } }
    fileprivate func closed() { open.withLock { $0 -= 1 } }

    final class Installer: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = NIOAny
        let limit: ConnectionLimit

        init(limit: ConnectionLimit) { self.limit = limit }

        func handlerAdded(context: ChannelHandlerContext) {
            try? context.pipeline.syncOperations.addHandler(Gate(limit: limit), position: .first)
        }
    }

    /// Lets a connection within the limit through untouched; one beyond it only for `GET /healthz`.
    final class Gate: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        let limit: ConnectionLimit
        private var counted = false
        private var beyond = false
        private var decided = false
        private var grace: Scheduled<Void>?

        init(limit: ConnectionLimit) { self.limit = limit }

        func handlerAdded(context: ChannelHandlerContext) {
            counted = true
            beyond = limit.opened()
            guard beyond else { return }
            let channel = context.channel
            grace = context.eventLoop.scheduleTask(in: ConnectionLimit.grace) { channel.close(promise: nil) }
        }

        func handlerRemoved(context: ChannelHandlerContext) {
            grace?.cancel()
            if counted { limit.closed() }
            counted = false
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard beyond, !decided else { return context.fireChannelRead(data) }
            decided = true
            grace?.cancel()
            let buffer = unwrapInboundIn(data)
            let start = buffer.getString(at: buffer.readerIndex, length: min(buffer.readableBytes, 13)) ?? ""
            if start == "GET /healthz " || start.hasPrefix("GET /healthz?") || start.hasPrefix("GET /healthz\r") {
                context.fireChannelRead(data)
            } else {
                context.close(promise: nil)
            }
        }
    }
}
