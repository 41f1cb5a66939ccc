@testable import Alerting
@testable import AlertingServer
import Foundation

/// A `notify serve` with the console on: alice and bob can sign in (bcrypt at the lowest cost,
/// to keep tests quick), carol cannot; a schedule where bob is on call at the clock's start;
/// every alert pages the `pager` webhook (a loopback fake) at once and again after 5 minutes.
enum ConsoleFixture {
    static let start = Date(timeIntervalSince1970: 1_795_514_400)  // 2026-11-24 10:00:00Z, a Tuesday
    static let token = "console-test-token"
    static let password = "correct horse battery staple"

    static func config(pager: String, publicURL: String = "http://127.0.0.1:8080", console: String = "{feed_secret: 0123456789abcdef0123456789}") async throws -> String {
        let hash = try await ConsoleSignIn.hash(password, cost: 4)
        return """
        channels:
          pager: {type: webhook, url: "\(pager)"}
        contacts:
          alice: {phone: "+14155550100", email: alice@example.com, password_hash: "\(hash)"}
          bob: {phone: "+14155550101", password_hash: "\(hash.replacingOccurrences(of: "$2b$", with: "$2y$"))"}
          carol: {phone: "+14155550102"}
        schedules:
          primary:
            timezone: Europe/Berlin
            rotations:
              - {name: daily, members: [alice, bob], shift: daily, start: "2026-11-23T09:00"}
        policies:
          page-twice:
            steps:
              - {after: 0s, notify: [pager]}
              - {after: 5m, notify: [pager]}
        routes:
          - {name: everything, policy: page-twice}
        heartbeats:
          nightly-backup: {interval: 24h, grace: 1h}
        delivery: {max_attempts: 1}
        server:
          listen: 127.0.0.1:8080
          public_url: \(publicURL)
          token: \(token)
          console: \(console)
        """
    }

    static func event(_ summary: String, environment: String = "prod", source: String = "db-1") -> String {
        #"{"kind":"failover","environment":"\#(environment)","source":"\#(source)","summary":"\#(summary)"}"#
    }
}
