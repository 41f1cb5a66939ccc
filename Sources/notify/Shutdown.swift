import ArgumentParser
import Dispatch
import Foundation

/// SIGTERM and SIGINT stop long-running commands gracefully: the work is cancelled, which stops
/// reading input and waiting for due steps; what is in flight finishes (the library runs it in
/// tasks of its own) and the command exits 0.
enum Shutdown {
    static func onSignals(_ work: @escaping @Sendable () async throws -> ExitCode) async throws -> ExitCode {
        let task = Task { try await work() }
        var sources: [DispatchSourceSignal] = []
        for signal in [SIGTERM, SIGINT] {
            Foundation.signal(signal, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signal, queue: .global())
            source.setEventHandler {
                Diagnostics.info("stopping (\(signal == SIGTERM ? "SIGTERM" : "SIGINT")): finishing in-flight work")
                task.cancel()
            }
            source.resume()
            sources.append(source)
        }
        defer { sources.forEach { $0.cancel() } }
        return try await task.value
    }
}
