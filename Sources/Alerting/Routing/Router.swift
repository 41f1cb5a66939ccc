/// Picks the route for an alert: the first route, in config order, whose matchers all match.
public struct Router: Sendable {
    public var routes: [Route]

    public init(routes: [Route]) {
        self.routes = routes
    }

    /// The first matching route, or nil when none matches (the alert then pages nobody, and the
    /// engine says so).
    public func route(for alert: Alert) -> Route? {
        routes.first { $0.matches(alert) }
    }
}
