import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS

/// One SMTP conversation (RFC 5321) on SwiftNIO: connect, EHLO, STARTTLS (or TLS from the first
/// byte), AUTH PLAIN, MAIL FROM, RCPT TO, DATA, QUIT. Small on purpose: it sends a message and
/// reads what the server's replies mean, no more. Passwords never reach an outcome.
public struct SMTPClient: Sendable {
    public enum Security: String, Sendable, Hashable, CaseIterable {
        /// Plain TCP, then `STARTTLS` before anything else (port 587). Refused if the server
        /// does not offer it.
        case startTLS = "starttls"
        /// TLS from the first byte (port 465).
        case tls
        /// No TLS at all: only for a relay on the same host.
        case none
    }

    public struct Server: Sendable, Hashable {
        public var host: String
        public var port: Int
        public var security: Security
        public var username: String?
        public var password: Secret?
        /// PEM certificates to trust instead of the system's (a private CA, a test server).
        public var caFile: String?

        public init(host: String, port: Int, security: Security = .startTLS, username: String? = nil, password: Secret? = nil, caFile: String? = nil) {
            self.host = host
            self.port = port
            self.security = security
            self.username = username
            self.password = password
            self.caFile = caFile
        }
    }

    public let server: Server
    public let timeout: Duration
    /// What notify calls itself in EHLO.
    public let clientName: String

    public init(server: Server, timeout: Duration = .seconds(30), clientName: String = "notify.localhost") {
        self.server = server
        self.timeout = timeout
        self.clientName = clientName
    }

    /// Sends `message` (headers and body, lines ending in CRLF) from `from` to `to`.
    public func send(from: String, to: [String], message: String) async -> DeliveryOutcome {
        do {
            return try await withDeadline(timeout) { try await converse(from: from, to: to, message: message) }
        } catch let failure as SMTPFailure {
            return failure.outcome
        } catch is DeadlineExceeded {
            return .retryable(reason: "SMTP: no answer within \(DurationParser.brief(timeout))", retryAfter: nil)
        } catch let error as NIOSSLError {
            return .permanent(reason: "SMTP: TLS failed (\(Self.words(error)))")
        } catch let error as BoringSSLError {
            return .permanent(reason: "SMTP: TLS failed (\(Self.words(error)))")
        } catch {
            return HTTPResponseClassifier.transportFailure(error, timeout: timeout)
        }
    }

    /// A failure the server said, or one of the conversation's own.
    struct SMTPFailure: Error {
        var outcome: DeliveryOutcome
    }

    private func converse(from: String, to: [String], message: String) async throws -> DeliveryOutcome {
        let tls = try makeTLSContext()
        let host = server.host
        let security = server.security
        let handshake = LockedBox<TLSHandshake?>(nil)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.init(timeout))
            .connect(host: host, port: server.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if security == .tls {
                        let waiter = TLSHandshake(promise: channel.eventLoop.makePromise())
                        handshake.withLock { $0 = waiter }
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: Self.sniName(host)))
                        try channel.pipeline.syncOperations.addHandler(waiter)
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPLineDecoder()))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            // A failed handshake is said here: the inbound stream would only end without it.
            if let waiter = handshake.withLock({ $0 }) { try await waiter.promise.futureResult.get() }
            var lines = inbound.makeAsyncIterator()
            /// A reply: its code and its lines' text (`250-PIPELINING`, `250 OK`: the last has a space).
            func reply() async throws -> (code: Int, lines: [String]) {
                var texts: [String] = []
                while let buffer = try await lines.next() {
                    let line = String(buffer: buffer)
                    guard line.count >= 3, let code = Int(line.prefix(3)) else { throw SMTPFailure(outcome: .retryable(reason: "SMTP: a reply that is not SMTP", retryAfter: nil)) }
                    texts.append(String(line.dropFirst(4)))
                    if line.count == 3 || line[line.index(line.startIndex, offsetBy: 3)] == " " { return (code, texts) }
                }
                throw SMTPFailure(outcome: .retryable(reason: "SMTP: the server closed the connection", retryAfter: nil))
            }
            func send(_ command: String) async throws { try await outbound.write(ByteBuffer(string: command + "\r\n")) }
            /// Sends `command` (nil: just read) and requires a reply in `expected`; `what` names the step in a failure.
            @discardableResult
            func step(_ command: String?, expect expected: ClosedRange<Int>, _ what: String) async throws -> [String] {
                if let command { try await send(command) }
                let (code, texts) = try await reply()
                guard expected.contains(code) else { throw SMTPFailure(outcome: Self.outcome(code: code, text: texts.last ?? "", step: what)) }
                return texts
            }

            try await step(nil, expect: 220...220, "greeting")
            var extensions = try await step("EHLO \(clientName)", expect: 250...250, "EHLO")
            if security == .startTLS {
                guard extensions.contains(where: { $0.uppercased().hasPrefix("STARTTLS") }) else {
                    throw SMTPFailure(outcome: .permanent(reason: "SMTP: the server does not offer STARTTLS (security: starttls)"))
                }
                try await step("STARTTLS", expect: 220...220, "STARTTLS")
                let waiter = TLSHandshake(promise: channel.channel.eventLoop.makePromise())
                try await channel.channel.pipeline.addHandler(waiter, position: .first).get()
                try await channel.channel.pipeline.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: Self.sniName(host)), position: .first).get()
                try await waiter.promise.futureResult.get()
                extensions = try await step("EHLO \(clientName)", expect: 250...250, "EHLO")
            }
            if let username = server.username, let password = server.password {
                let plain = Data(("\u{0}" + username + "\u{0}" + password.exposedValue).utf8).base64EncodedString()
                try await step("AUTH PLAIN \(plain)", expect: 235...235, "AUTH")
            }
            try await step("MAIL FROM:<\(from)>", expect: 250...250, "MAIL FROM")
            for recipient in to { try await step("RCPT TO:<\(recipient)>", expect: 250...251, "RCPT TO") }
            try await step("DATA", expect: 354...354, "DATA")
            try await outbound.write(ByteBuffer(string: Self.dotStuffed(message) + ".\r\n"))
            let accepted = try await step(nil, expect: 250...250, "the message")
            try? await send("QUIT")
            return .delivered(providerID: Self.queueID(accepted.last ?? ""))
        }
    }

    /// 4xx: the server asks to try later. 5xx: it refuses (an unknown mailbox, bad credentials).
    static func outcome(code: Int, text: String, step: String) -> DeliveryOutcome {
        let reason = "SMTP \(code) at \(step): " + String(text.prefix(160))
        return (400..<500).contains(code) ? .retryable(reason: reason, retryAfter: nil) : .permanent(reason: reason)
    }

    /// A line starting with a dot gets a second one (RFC 5321 §4.5.2); the message ends in CRLF.
    static func dotStuffed(_ message: String) -> String {
        var lines = message.components(separatedBy: "\r\n")
        if lines.last == "" { lines.removeLast() }
        return lines.map { $0.hasPrefix(".") ? "." + $0 : $0 }.joined(separator: "\r\n") + "\r\n"
    }

    /// `250 2.0.0 Ok: queued as 4Y2k3Q1zqKz9sT` → `4Y2k3Q1zqKz9sT`; else the reply's text.
    static func queueID(_ text: String) -> String? {
        if let range = text.range(of: "queued as ") { return String(text[range.upperBound...]).trimmingCharacters(in: .whitespaces) }
        return text.isEmpty ? nil : String(text.prefix(80))
    }

    /// No SNI for an IP address (RFC 6066 forbids it).
    static func sniName(_ host: String) -> String? {
        host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" } ? nil : host
    }

    private func makeTLSContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        // A session that failed is closed without waiting long for the server's close_notify.
        configuration.shutdownTimeout = .seconds(1)
        if let caFile = server.caFile {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
        }
        return try NIOSSLContext(configuration: configuration)
    }

    /// A TLS error in a few words (its description can be long, and never holds a secret).
    static func words(_ error: any Error) -> String {
        String("\(error)".prefix(160))
    }
}

/// Waits for the TLS handshake right after the TLS handler: done, or its error.
final class TLSHandshake: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let promise: EventLoopPromise<Void>

    init(promise: EventLoopPromise<Void>) { self.promise = promise }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event { promise.succeed(()) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(SMTPClient.SMTPFailure(outcome: .retryable(reason: "SMTP: the server closed the connection during the TLS handshake", retryAfter: nil)))
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        promise.fail(ChannelError.ioOnClosedChannel)
    }
}

/// Splits SMTP replies into lines (CRLF, or a bare LF), without the line end.
struct SMTPLineDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            // A reply line is at most 512 bytes (RFC 5321 §4.5.3.1.5); far beyond is not SMTP.
            if buffer.readableBytes > 64 * 1024 { throw SMTPClient.SMTPFailure(outcome: .retryable(reason: "SMTP: a reply line too long", retryAfter: nil)) }
            return .needMoreData
        }
        let length = newline - buffer.readerIndex
        var line = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)
        if line.readableBytesView.last == UInt8(ascii: "\r") { line = line.getSlice(at: line.readerIndex, length: line.readableBytes - 1)! }
        context.fireChannelRead(wrapInboundOut(line))
        return .continue
    }
}
