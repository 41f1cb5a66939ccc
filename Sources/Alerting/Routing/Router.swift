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

    /// Every route the alert takes: the first match, and while the matched route says
    /// `continue`, the later ones that match too.
    public func matchingRoutes(for alert: Alert) -> [Route] {
        var matched: [Route] = []
        for route in routes where route.matches(alert) {
            matched.append(route)
            if !route.continueMatching { break }
        }
        return matched
    }
}
