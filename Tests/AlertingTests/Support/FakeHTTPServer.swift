import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// A real HTTP server on 127.0.0.1 (random port) that plays a provider: it records every
/// request and answers from a script, one scripted answer per request, the last one repeated.
final class FakeHTTPServer: Sendable {
    struct Answer: Sendable {
        var status: HTTPResponse.Status
        var body: String
        var headers: [String: String]
        /// Wait this long before answering (a hung server).
        var delay: Duration?

        init(status: HTTPResponse.Status, body: String, headers: [String: String] = [:], delay: Duration? = nil) {
            self.status = status
            self.body = body
            self.headers = headers
            self.delay = delay
        }

        static let slackOK = Answer(status: .ok, body: "ok")
    }

    struct ReceivedRequest: Sendable {
        var method: String
        var path: String
        var headers: [String: String]
        var body: String
        /// When it arrived, for tests of latency.
        var arrived = ContinuousClock.now

        var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
        }
    }

    private let script: LockedState<[Answer]>
    private let received = LockedState<[ReceivedRequest]>([])
    private let running: RunningApplication
    let port: Int

    var baseURL: String { "http://127.0.0.1:\(port)" }

    var requests: [ReceivedRequest] { received.value }

    /// Replaces the answers still to come.
    func setScript(_ answers: [Answer]) { script.value = answers }

    /// - Parameters:
    ///   - hangingPaths: requests to these paths are recorded and never answered (a hung
    ///     provider beside a healthy one on the same host).
    ///   - respond: answers each request (given with its number, from 0) instead of the script:
    ///     a provider whose faults are drawn at random.
    init(script answers: [Answer] = [.slackOK], hangingPaths: Set<String> = [],
         respond: (@Sendable (ReceivedRequest, Int) -> Answer)? = nil) async throws {
        let script = LockedState(answers)
        let receivedRequests = self.received
        let router = Router()
        // `**` matches every path but the root, where ntfy takes JSON: the same handler serves both.
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, context -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            let received = ReceivedRequest(method: "POST", path: request.uri.path, headers: headers, body: String(buffer: body))
            let number = receivedRequests.mutate { requests in
                requests.append(received)
                return requests.count - 1
            }
            if hangingPaths.contains(request.uri.path) { try? await Task.sleep(for: .seconds(60)) }
            let answer = respond?(received, number) ?? script.mutate { answers -> Answer in
                if answers.count > 1 { return answers.removeFirst() }
                return answers.first ?? .slackOK
            }
            if let delay = answer.delay { try? await Task.sleep(for: delay) }
            var responseHeaders = HTTPFields()
            for (name, value) in answer.headers {
                if let field = HTTPField.Name(name) { responseHeaders[field] = value }
            }
            responseHeaders[.contentType] = responseHeaders[.contentType] ?? "text/plain"
            return Response(status: answer.status, headers: responseHeaders, body: .init(byteBuffer: ByteBuffer(string: answer.body)))
        }
        router.on("**", method: .post, use: handler)
        router.on("/", method: .post, use: handler)
        // The port is known once the server runs; the stream keeps it until it is read.
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portSink.yield(channel.localAddress?.port ?? 0)
                portSink.finish()
            },
            logger: Logger(label: "fake-http", factory: { _ in SwiftLogNoOpLogHandler() }))
        self.script = script
        self.running = RunningApplication(app)
        var iterator = ports.makeAsyncIterator()
        self.port = await iterator.next() ?? 0
    }

    func stop() async {
        await running.stop()
    }
}

/// A value behind a lock, for test helpers.
final class LockedState<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) { stored = value }

    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }

    @discardableResult
    func mutate<Result>(_ body: (inout Value) -> Result) -> Result {
        lock.withLock { body(&stored) }
    }
}

extension FakeHTTPServer.ReceivedRequest {
    /// The form-encoded body as fields (`+` is a space), the last value of a repeated name winning.
    var form: [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
            }
            fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }
}
