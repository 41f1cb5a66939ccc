import Foundation
import Mustache

/// Renders a notification through the right template for its channel and kind.
///
/// Templates are compiled on first use and kept. JSON output is checked after rendering: a
/// template that yields invalid JSON is an error, never a broken request to a provider.
public final class TemplateRenderer: Sendable {
    public let templates: TemplateSet
    private let compiled = LockedBox<[CompiledKey: MustacheTemplate]>([:])

    private struct CompiledKey: Hashable {
        var name: String
        var format: TemplateSelector.Format
    }

    public init(templates: TemplateSet = .builtIn) {
        _ = EscapingContentTypes.registered
        self.templates = templates
    }

    /// Renders `notification` for a channel named `channelName` through `selector`'s templates.
    public func render(_ notification: Notification, channelName: String, selector: TemplateSelector) throws -> String {
        let candidates = selector.candidateNames(kind: notification.alert.kind)
        guard let name = candidates.first(where: { templates.texts[$0] != nil }) else {
            throw TemplateError.missing(tried: candidates)
        }
        let template = try compiledTemplate(name: name, format: selector.format)
        let view = NotificationView(notification, channelName: channelName)
        let output = template.render(view)
        if selector.format.isJSON {
            guard (try? JSONSerialization.jsonObject(with: Data(output.utf8))) != nil else {
                throw TemplateError.invalidJSON(name: name)
            }
        }
        return output
    }

    private func compiledTemplate(name: String, format: TemplateSelector.Format) throws -> MustacheTemplate {
        let key = CompiledKey(name: name, format: format)
        if let cached = compiled.withLock({ $0[key] }) { return cached }
        let text = templates.texts[name] ?? ""
        let template: MustacheTemplate
        do {
            template = try MustacheTemplate(string: EscapingContentTypes.pragma(for: format) + "\n" + text)
        } catch {
            throw TemplateError.syntax(name: name, detail: "\(error)")
        }
        compiled.withLock { $0[key] = template }
        return template
    }
}
