// A Swift program that uses the Alerting library directly, no config file or CLI involved.
// Run it with: swift run notify-library-example
//
// It shows the three things a library user does most:
//  1. builds a Notifier from routes and channels in code,
//  2. adds a channel of its own (any type that conforms to `Channel`),
//  3. feeds events and reads what happened to each.

import Alerting
import Foundation

/// A custom channel: collects messages in memory. A real one would call a paging gateway,
/// Teams, ntfy... Return `.retryable` for failures worth another try, `.permanent` for the rest;
/// the Deliverer does the retrying.
final class MemoryChannel: Channel, @unchecked Sendable {
    let name: String
    let template: TemplateSelector? = TemplateSelector(family: "console", format: .text)
    private let lock = NSLock()
    private var messages: [String] = []

    init(name: String) { self.name = name }

    func deliver(_ notification: Alerting.Notification) async -> DeliveryOutcome {
        lock.withLock { messages.append(notification.body ?? "") }
        return .delivered(providerID: "memory-\(notification.alert.id)")
    }

    var received: [String] { lock.withLock { messages } }
}

let pager = MemoryChannel(name: "pager")
let notifier = Notifier(channels: [pager, ConsoleChannel(name: "console")], configuration: Configuration(routes: [
        // Production failovers and critical alerts page; everything else goes to the console.
        Route(name: "prod-critical", matchers: [
            RouteMatcher(field: .environment, patterns: [GlobPattern("prod-*")]),
            RouteMatcher(field: .severity, patterns: [GlobPattern("critical")]),
        ], channels: ["pager"], notifyOnResolve: true),
        Route(name: "default", channels: ["console"]),
    ]))

let failover = AlertEvent(
    kind: .failover, environment: "prod-us-east", source: "db-primary-1",
    summary: "Primary failed health checks; promoted db-secondary-2",
    details: ["from": .string("db-primary-1"), "to": .string("db-secondary-2")])

// Events can also come from JSON, as `notify watch` reads them.
let fromJSON = try EventDecoder().decode(Array(#"{"kind":"health_check_failure","environment":"staging","source":"web-3","summary":"web-3 failed 3 checks"}"#.utf8)).get()

for event in [failover, failover, fromJSON, AlertEvent(kind: .failover, action: .resolve, environment: "prod-us-east", source: "db-primary-1")] {
    let result = try await notifier.process(event)
    let deliveries = result.reports.map { "\($0.channel): \($0.outcome.label)" }.joined(separator: ", ")
    print("alert #\(result.alert?.id ?? 0) \(result.transition.change.rawValue)" + (deliveries.isEmpty ? "" : " -> \(deliveries)"))
}

print("the pager channel received \(pager.received.count) messages (the trigger and the resolve; the repeat was deduplicated)")
