import Foundation
#if canImport(Glibc)
import Glibc
#endif
import XCTest

/// The test servers (provider fakes and `notify serve`'s application) stop while clients are
/// still connecting, as they do when one test ends and a retry or a pooled connection of it
/// still reaches out. Stopping must not crash the test process: with the task cancelled at
/// once, NIO traps on a connection it accepted that the server loop never took (CI did, once).
final class FakeServerStoppingTests: NotifyTestCase {
    func testStoppingWhileClientsKeepConnectingDoesNotCrash() async throws {
        for _ in 0..<40 {
            let server = try await FakeHTTPServer()
            let port = server.port
            let connecting = Task.detached {
                while !Task.isCancelled {
                    guard let fd = openConnection(port: port, nonBlocking: true) else { continue }
                    close(fd)
                }
            }
            try await Task.sleep(for: .milliseconds(20))
            await server.stop()
            connecting.cancel()
            _ = await connecting.value
        }
    }
}
