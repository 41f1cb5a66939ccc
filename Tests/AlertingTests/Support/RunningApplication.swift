import Hummingbird
import Logging
import ServiceLifecycle

/// A Hummingbird application running in its own task for a test, stopped the way `notify serve`
/// stops on SIGTERM: a graceful shutdown first, which closes the listening socket and lets every
/// connection it already accepted be served. Only what is still running after `patience` (a
/// handler a test keeps hanging) is cancelled.
///
/// Cancelling the task at once is not safe: a connection NIO accepted but the server loop had not
/// yet taken is dropped with its writer unfinished, and NIO traps ("Deinited NIOAsyncWriter
/// without calling finish()", apple/swift-nio#2813). CI crashed so once, when a client connected
/// to a fake provider the moment the test before it stopped.
final class RunningApplication: Sendable {
    private let group: ServiceGroup
    private let task: Task<Void, Error>

    init(_ application: some ApplicationProtocol) {
        let group = ServiceGroup(configuration: .init(
            services: [application], gracefulShutdownSignals: [],
            logger: Logger(label: "test-application", factory: { _ in SwiftLogNoOpLogHandler() })))
        self.group = group
        task = Task { try await group.run() }
    }

    func stop(patience: Duration = .milliseconds(500)) async {
        await group.triggerGracefulShutdown()
        let task = self.task
        let deadline = Task {
            try await Task.sleep(for: patience)
            task.cancel()
        }
        _ = await task.result
        deadline.cancel()
    }
}
