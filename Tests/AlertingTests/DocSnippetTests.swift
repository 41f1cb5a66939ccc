import ArgumentParser
import Foundation
@testable import NotifyCLI
import XCTest

/// Every Swift and shell snippet in README.md and docs/ is checked, so the docs cannot rot
/// (issue 12): Swift compiles against the library as built, and each `notify` command parses
/// with the CLI's own parser (subcommand, flags, values and their validation). Other commands
/// must name scripts, files and products that exist.
final class DocSnippetTests: NotifyTestCase {
    private let shellLanguages: Set = ["sh", "bash", "shell"]

    func testEveryShellSnippetNamesRealCommandsFlagsAndFiles() throws {
        let snippets = try DocSnippet.all().filter { shellLanguages.contains($0.language) }
        XCTAssertGreaterThan(snippets.count, 8)
        let products = try executableProducts()
        var checked = 0
        for snippet in snippets {
            let syntax = try run("/bin/bash", ["-n", "-c", snippet.code])
            XCTAssertEqual(syntax.status, 0, "\(snippet.place): not valid shell: \(syntax.stderr)")
            for var words in ShellWords.commands(in: snippet.code) {
                // A crontab line's schedule, and variables set for the command.
                if words.count > 5, words.prefix(5).allSatisfy({ $0.allSatisfy { "*0123456789/,-".contains($0) } }) { words.removeFirst(5) }
                while let first = words.first, first.contains("="), !first.hasPrefix("-") { words.removeFirst() }
                guard let command = words.first else { continue }
                for word in words where ["Examples/", "Templates/", "scripts/", "docs/"].contains(where: { word.hasPrefix($0) }) {
                    XCTAssertTrue(FileManager.default.fileExists(atPath: DocSnippet.root.appendingPathComponent(word).path), "\(snippet.place): \(word) does not exist")
                }
                if command == "notify" {
                    check(notify: Array(words.dropFirst()), at: snippet.place)
                    checked += 1
                } else if command == "swift", words.count > 2, words[1] == "run" {
                    if words[2] == "notify" {
                        check(notify: Array(words.dropFirst(3)), at: snippet.place)
                        checked += 1
                    } else {
                        XCTAssertTrue(products.contains(words[2]), "\(snippet.place): swift run \(words[2]): no such product")
                    }
                } else if command == "swift", let index = words.firstIndex(of: "--product"), index + 1 < words.count {
                    XCTAssertTrue(products.contains(words[index + 1]), "\(snippet.place): --product \(words[index + 1]): no such product")
                } else if command.hasPrefix("scripts/") || command.hasPrefix("Examples/") {
                    XCTAssertTrue(FileManager.default.isExecutableFile(atPath: DocSnippet.root.appendingPathComponent(command).path), "\(snippet.place): \(command) is not executable")
                }
            }
        }
        XCTAssertGreaterThan(checked, 10, "the notify commands were found")
    }

    func testEverySwiftSnippetCompilesAgainstTheLibrary() throws {
        let snippets = try DocSnippet.all().filter { $0.language == "swift" }
        XCTAssertGreaterThanOrEqual(snippets.count, 5)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("notify-snippets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (index, snippet) in snippets.enumerated() {
            let file = directory.appendingPathComponent("snippet\(index)").appendingPathComponent("main.swift")
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            let isManifest = snippet.info.split(separator: " ").contains("package")
            try (isManifest ? manifest(around: snippet.code) : snippet.code).write(to: file, atomically: true, encoding: .utf8)
            let result = try run(try swiftc(), ["-typecheck"] + (isManifest ? manifestFlags() : try libraryFlags()) + [file.path])
            XCTAssertEqual(result.status, 0, "\(snippet.place) does not compile:\n\(result.stderr)")
        }
    }

    /// `ShellWords` itself: what the shell test relies on.
    func testShellWordsSplitCommandsAsTheShellDoes() {
        XCTAssertEqual(ShellWords.commands(inLine: #"a "b c" 'd' | notify watch --config x.yaml   # why"#), [["a", "b c", "d"], ["notify", "watch", "--config", "x.yaml"]])
        XCTAssertEqual(ShellWords.commands(inLine: "backup.sh && notify heartbeat nightly > /dev/null; echo $(date +%s)"),
                       [["backup.sh"], ["notify", "heartbeat", "nightly"], ["echo", "$(date +%s)"]])
    }

    // MARK: Checking

    private func check(notify arguments: [String], at place: String) {
        do {
            _ = try Notify.parseAsRoot(arguments)
        } catch {
            XCTFail("\(place): notify \(arguments.joined(separator: " ")): \(Notify.message(for: error))")
        }
    }

    /// The executable products Package.swift declares.
    private func executableProducts() throws -> Set<String> {
        let manifest = try String(contentsOf: DocSnippet.root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let names = manifest.components(separatedBy: ".executable").dropFirst().compactMap { part -> String? in
            guard let start = part.range(of: "name: \"") else { return nil }
            return part[start.upperBound...].split(separator: "\"").first.map(String.init)
        }
        return Set(names)
    }

    /// `.package(...)` and `.product(...)` lines as a manifest would hold them.
    private func manifest(around code: String) -> String {
        let lines = code.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        return """
            import PackageDescription
            let package = Package(
                name: "Example",
                dependencies: [\(lines.filter { $0.hasPrefix(".package(") }.joined(separator: ", "))],
                targets: [.executableTarget(name: "Example", dependencies: [\(lines.filter { $0.hasPrefix(".product(") }.joined(separator: ", "))])]
            )
            """
    }

    private func swiftc() throws -> String {
        let which = try run("/usr/bin/env", ["which", "swiftc"])
        return which.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func manifestFlags() throws -> [String] {
        let compiler = URL(fileURLWithPath: try swiftc()).resolvingSymlinksInPath()
        let manifestAPI = compiler.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("lib/swift/pm/ManifestAPI")
        return ["-I", manifestAPI.path, "-package-description-version", "5.9"]
    }

    /// The built modules, and the module maps of the C targets they import.
    private func libraryFlags() throws -> [String] {
        let binaries = NotifyProcess.binary.deletingLastPathComponent().resolvingSymlinksInPath()
        var maps = try FileManager.default.contentsOfDirectory(atPath: binaries.path)
            .filter { $0.hasSuffix(".build") }
            .map { binaries.appendingPathComponent($0).appendingPathComponent("module.modulemap").path }
            .filter { FileManager.default.fileExists(atPath: $0) }
        let checkouts = DocSnippet.root.appendingPathComponent(".build/checkouts")
        if let files = FileManager.default.enumerator(atPath: checkouts.path) {
            for case let path as String in files where path.hasSuffix("/module.modulemap") && path.contains("/Sources/") && !path.contains("SQLCipher") {
                maps.append(checkouts.appendingPathComponent(path).path)
            }
        }
        return ["-I", binaries.appendingPathComponent("Modules").path] + maps.flatMap { ["-Xcc", "-fmodule-map-file=\($0)"] }
    }

    private func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }
}
