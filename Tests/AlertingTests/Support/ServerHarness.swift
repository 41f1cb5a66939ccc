@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Prometheus

/// `notify serve`'s HTTP application on 127.0.0.1 (a free port), over an in-memory store and a
/// manual clock. The scheduler does not run: tests call ``runDue()`` when they mean time to pass.
final class ServerHarness: @unchecked Sendable {
    let runtime: NotifyRuntime
    let server: NotifyServer
    let port: Int
    let client: HTTPClient
    private let running: RunningApplication

    var notifier: Notifier { runtime.notifier }
    var baseURL: String { "http://127.0.0.1:\(port)" }

    init(config yaml: String, clock: ManualClock, environment: [String: String] = [:], store: any AlertStore = MemoryAlertStore()) async throws {
        let config = try ConfigLoader(environment: environment).parse(yaml)
        let registry = PrometheusCollectorRegistry()
        let logger = Logger(label: "test-serve", factory: { _ in SwiftLogNoOpLogHandler() })
        runtime = try await NotifyRuntime(config: config, store: store, clock: clock, metrics: .prometheus(registry), logger: logger)
        var serverConfig = try XCTUnwrapOrThrow(config.server)
        serverConfig.port = 0
        server = try NotifyServer(runtime: runtime, registry: registry, server: serverConfig, logger: logger)
        // Redirects are what the console answers: a test reads them, it does not follow them.
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        let (ports, sink) = AsyncStream.makeStream(of: Int.self)
        let app = server.application(onListening: { port in
            sink.yield(port)
            sink.finish()
        })
        running = RunningApplication(app)
        var iterator = ports.makeAsyncIterator()
        port = await iterator.next() ?? 0
    }

    func stop() async {
        await running.stop()
        try? await client.shutdown()
        try? await runtime.shutdown()
    }

    struct Answer {
        var status: UInt
        var headers: [String: String]
        var body: String
        /// Every Set-Cookie header (``headers`` keeps one value per name).
        var setCookies: [String] = []
        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] }
    }

    func post(_ path: String, body: String, headers: [String: String] = [:]) async throws -> Answer {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        return try await send(request)
    }

    func get(_ path: String, headers: [String: String] = [:]) async throws -> Answer {
        var request = HTTPClientRequest(url: baseURL + path)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        return try await send(request)
    }

    func send(method: HTTPMethod, path: String) async throws -> Answer {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        return try await send(request)
    }

    private func send(_ request: HTTPClientRequest) async throws -> Answer {
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 4 << 20)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return Answer(status: response.status.code, headers: headers, body: String(buffer: body),
                      setCookies: response.headers["set-cookie"])
    }

    /// A Twilio callback as Twilio sends it: a form, signed over the public URL.
    func postTwilio(_ path: String, _ parameters: [(String, String)], token: String, publicURL: String = "https://notify.example.com", signature: String? = nil) async throws -> Answer {
        let signed = signature ?? TwilioSignature.sign(url: publicURL + path, parameters: parameters, token: Secret(token))
        return try await post(path, body: HTTPForm.encode(parameters), headers: ["Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signed])
    }
}

struct MissingValue: Error {}

func XCTUnwrapOrThrow<T>(_ value: T?) throws -> T {
    guard let value else { throw MissingValue() }
    return value
}
