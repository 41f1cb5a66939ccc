import Foundation
import Mustache

/// The template texts in use: the defaults built into notify, with any from a `templates_dir`
/// laid over them file by file.
///
/// Names are paths under the templates folder without `.mustache`: `slack/default.json`,
/// `slack/failover.json`, `console/default`.
public struct TemplateSet: Sendable {
    public private(set) var texts: [String: String]

    public init(texts: [String: String]) {
        self.texts = texts
    }

    /// The templates built into the binary (the same files as `Templates/` in the repository).
    public static let builtIn = TemplateSet(texts: DefaultTemplates.all)

    /// This set with every `*.mustache` file under `directory` added, replacing defaults of the
    /// same name. Each file must parse.
    public func overlaid(withDirectory directory: String) throws -> TemplateSet {
        let root = URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TemplateError.directoryNotFound(directory)
        }
        var result = self
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            guard url.pathExtension == "mustache" else { continue }
            let relative = String(url.standardizedFileURL.path.dropFirst(root.path.count + 1))
            let name = String(relative.dropLast(".mustache".count))
            let text: String
            do {
                text = try String(contentsOf: url, encoding: .utf8)
            } catch {
                throw TemplateError.unreadable(relative)
            }
            do {
                _ = try MustacheTemplate(string: text)
            } catch {
                throw TemplateError.syntax(name: relative, detail: "\(error)")
            }
            result.texts[name] = text
        }
        return result
    }
}

public enum TemplateError: Error, Sendable, CustomStringConvertible, Hashable {
    case directoryNotFound(String)
    case unreadable(String)
    case syntax(name: String, detail: String)
    case missing(tried: [String])
    case invalidJSON(name: String)

    public var description: String {
        switch self {
        case .directoryNotFound(let path): "templates_dir \(path): not a directory"
        case .unreadable(let name): "template \(name): cannot be read as UTF-8 text"
        case .syntax(let name, let detail): "template \(name): \(detail)"
        case .missing(let tried): "no template found (tried \(tried.joined(separator: ", ")))"
        case .invalidJSON(let name): "template \(name) produced invalid JSON (a value inserted with {{{ }}} or & is not escaped)"
        }
    }
}
