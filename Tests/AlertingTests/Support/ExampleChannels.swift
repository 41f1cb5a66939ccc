@testable import Alerting
@testable import AlertingConfig
import Foundation

/// Examples/channels.yaml, with every provider's base URL on one fake and secrets that say
/// SUPERSECRET, so a test can check that none of them leaks into a report.
enum ExampleChannels {
    static let environment: [String: String] = [
        "TELEGRAM_BOT_TOKEN": "123456:SUPERSECRET-T",
        "PUSHOVER_APP_TOKEN": "SUPERSECRETPUSHOVERAPPTOKEN000",
        "NTFY_TOKEN": "tk_SUPERSECRETNTFY",
        "SMTP_PASSWORD": "SUPERSECRET-smtp",
    ]

    static func runtime(_ server: FakeHTTPServer, clock: ManualClock = ManualClock()) async throws -> NotifyRuntime {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var environment = Self.environment
        environment["TEAMS_WORKFLOW_URL"] = server.baseURL + "/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig=SUPERSECRETSIG"
        environment["MATTERMOST_WEBHOOK_URL"] = server.baseURL + "/hooks/SUPERSECRETHOOK"
        for name in ["TELEGRAM_BASE_URL", "PUSHOVER_BASE_URL", "NTFY_BASE_URL"] { environment[name] = server.baseURL }
        let config = try ConfigLoader(environment: environment).load(path: root.appendingPathComponent("Examples/channels.yaml").path)
        return try await NotifyRuntime(config: config, clock: clock)
    }

    /// `notify test CHANNEL [--to alice]` through the example config.
    static func sendTest(_ channel: String, to contact: String? = nil, server: FakeHTTPServer) async throws -> DeliveryReport {
        let runtime = try await runtime(server)
        let report = await runtime.notifier.sendTest(channel: channel, to: contact.flatMap { runtime.config.contacts[$0] })
        try await runtime.shutdown()
        return report
    }
}
