// Pages a Slack webhook about a failover, escalating to a second step if nobody acknowledges,
// with nothing but the Alerting library: state in memory, no config file, no server.
//
//   SLACK_WEBHOOK_URL=https://hooks.slack.com/services/... swift run PageSlack
import Alerting
import AsyncHTTPClient
import Foundation

guard let url = ProcessInfo.processInfo.environment["SLACK_WEBHOOK_URL"] else {
    FileHandle.standardError.write(Data("PageSlack: set SLACK_WEBHOOK_URL\n".utf8))
    exit(64)
}
let secondStepAfter = Double(ProcessInfo.processInfo.environment["SECOND_STEP_AFTER"] ?? "") ?? 300

let client = HTTPClient(eventLoopGroupProvider: .singleton)
let slack = SlackWebhookChannel(name: "ops-slack", webhookURL: Secret(url), client: client)
let policy = EscalationPolicy(name: "db-failover", steps: [
    .init(after: .zero, targets: [RouteTarget(channel: "ops-slack")]),
    .init(after: .milliseconds(Int64(secondStepAfter * 1000)), targets: [RouteTarget(channel: "ops-slack")]),
])
let notifier = Notifier(
    channels: [slack],
    configuration: Configuration(routes: [Route(name: "failovers", policy: "db-failover")], policies: [policy]))

let result = try await notifier.process(AlertEvent(
    kind: .failover, environment: "prod-us-east", source: "db-primary-1",
    summary: "Primary failed health checks; promoted db-secondary-2"))
print("alert #\(result.alert?.id ?? 0): step 1 \(result.reports.map(\.outcome.label).joined(separator: ", "))")

// Nobody acknowledges: the second step comes due and is paged.
try await Task.sleep(for: .milliseconds(Int64(secondStepAfter * 1000) + 50))
let second = try await notifier.runDue()
print("step 2 \(second.map(\.report.outcome.label).joined(separator: ", "))")
try await client.shutdown()
