import ArgumentParser
@testable import NotifyCLI
import XCTest

/// Every command names itself. Without a `commandName`, swift-argument-parser derives it from
/// the type's name with `String(describing:)`, and each such call scans the binary's protocol
/// conformances at start-up: about a tenth of a `notify send` (issue 10, docs/benchmarks.md).
final class CommandNameTests: XCTestCase {
    func testEveryCommandHasAnExplicitName() {
        var unnamed: [String] = []
        var seen = 0
        func visit(_ command: ParsableCommand.Type) {
            seen += 1
            if command.configuration.commandName == nil { unnamed.append("\(command)") }
            command.configuration.subcommands.forEach(visit)
        }
        visit(Notify.self)
        XCTAssertGreaterThan(seen, 20)
        XCTAssertEqual(unnamed, [], "give these a commandName in their CommandConfiguration")
    }
}
