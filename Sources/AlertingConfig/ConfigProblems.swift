import Alerting
/// The problems of one config, gathered so that one run reports all of them, in line order,
/// rather than one per edit-and-retry. Each item (a channel, a route, a heartbeat) is read on
/// its own: a problem in one does not hide the problems of the others.
final class ConfigProblems {
    private(set) var errors: [ConfigError] = []
    /// Names of items that could not be read: a reference to one is not a second problem.
    private var broken: [(noun: String, name: String)] = []

    /// Runs `body`; a config error is noted and the result is nil.
    func check<T>(_ body: () throws -> T) -> T? {
        do {
            return try body()
        } catch let error as ConfigError {
            // An error may carry others of the same item (every target of a route).
            var head = error
            head.more = []
            errors.append(head)
            errors.append(contentsOf: error.more)
        } catch {
            errors.append(ConfigError(path: "", "\(error)"))
        }
        return nil
    }

    /// The same for a named item (`channel`, `contact`, `schedule`, `policy`) that others refer to.
    func check<T>(_ noun: String, named name: String, _ body: () throws -> T) -> T? {
        let value = check(body)
        if value == nil { broken.append((noun, name)) }
        return value
    }

    /// Throws every problem noted, the first in the file first, carrying the rest.
    func throwIfAny() throws {
        let consequences = Set(broken.map { "no \($0.noun) named \(quoted($0.name))" })
        let found = errors.filter { error in !consequences.contains { error.message.hasPrefix($0) } }
        let ordered = found.enumerated().sorted { ($0.element.line ?? .max, $0.offset) < ($1.element.line ?? .max, $1.offset) }.map(\.element)
        guard var first = ordered.first else { return }
        first.more = Array(ordered.dropFirst())
        throw first
    }
}
