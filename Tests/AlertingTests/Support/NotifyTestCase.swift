import Logging
import XCTest

/// The base of every test class here: it routes swift-log to a handler that is quiet unless
/// `NOTIFY_TEST_LOG_LEVEL` asks for more (`NOTIFY_TEST_LOG_LEVEL=debug swift test ...`), so a
/// passing run prints no warnings or error lines: the engine logs every page it places, and
/// the tests place thousands. What a test checks about logs it reads from the binary's stderr.
class NotifyTestCase: XCTestCase {
    override class func setUp() {
        super.setUp()
        _ = TestLogging.bootstrapped
    }
}

enum TestLogging {
    static let bootstrapped: Void = {
        let level = ProcessInfo.processInfo.environment["NOTIFY_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }()
}
