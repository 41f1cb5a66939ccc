import Foundation

/// The fenced code blocks of the README and docs/, and the commands in the shell ones.
struct DocSnippet {
    var file: String
    /// The line of the opening fence.
    var line: Int
    /// The fence's info string: `swift`, `swift package`, `sh`...
    var info: String
    var code: String

    var language: String { String(info.split(separator: " ").first ?? "") }
    var place: String { "\(file):\(line)" }

    static let root: URL = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
            directory.deleteLastPathComponent()
        }
        return directory
    }()

    /// Every fenced block of README.md and docs/*.md, in file order.
    static func all() throws -> [DocSnippet] {
        let docs = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("docs").path)
            .filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
        return try (["README.md"] + docs).flatMap { file in
            try extract(from: String(contentsOf: root.appendingPathComponent(file), encoding: .utf8), file: file)
        }
    }

    static func extract(from markdown: String, file: String) -> [DocSnippet] {
        var snippets: [DocSnippet] = []
        var open: DocSnippet?
        for (index, line) in markdown.components(separatedBy: "\n").enumerated() {
            if line.hasPrefix("```") {
                if let block = open {
                    snippets.append(block)
                    open = nil
                } else {
                    open = DocSnippet(file: file, line: index + 1, info: String(line.dropFirst(3)).trimmingCharacters(in: .whitespaces), code: "")
                }
            } else if open != nil {
                open!.code += line + "\n"
            }
        }
        return snippets
    }
}

/// Just enough of the shell's grammar to find the commands in a snippet: `;`, `|`, `&&`, `||`
/// separate commands; quotes group words; `#` after a space starts a comment.
enum ShellWords {
    static func commands(in script: String) -> [[String]] {
        script.split(separator: "\n").flatMap { commands(inLine: String($0)) }
    }

    static func commands(inLine line: String) -> [[String]] {
        var commands: [[String]] = [[]]
        var word = ""
        var inWord = false
        var quote: Character?
        var depth = 0  // inside $( ... )
        var previous: Character = " "
        func endWord() {
            if inWord { commands[commands.count - 1].append(word) }
            word = ""
            inWord = false
        }
        var characters = Array(line)[...]
        while let character = characters.popFirst() {
            defer { previous = character }
            if let open = quote {
                if character == open { quote = nil } else { word.append(character) }
                continue
            }
            if depth > 0 {
                word.append(character)
                if character == "(" { depth += 1 }
                if character == ")" { depth -= 1 }
                continue
            }
            switch character {
            case "'", "\"":
                quote = character
                inWord = true
            case "#" where previous == " " || !inWord:
                endWord()
                return commands.filter { !$0.isEmpty }
            case " ", "\t":
                endWord()
            case ";", "|", "&":
                endWord()
                if characters.first == character { characters.removeFirst() }
                commands.append([])
            case "<", ">":
                endWord()
                // The redirection's target is not an argument.
                while characters.first == " " { characters.removeFirst() }
                while let next = characters.first, !" ;|&".contains(next) { characters.removeFirst() }
            case "(" where word.hasSuffix("$"):
                word.append(character)
                depth = 1
            default:
                word.append(character)
                inWord = true
            }
        }
        endWord()
        return commands.filter { !$0.isEmpty }
    }
}
