import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// `dead_man_switch:` in the config: a URL notify requests on a schedule while it is healthy
/// (healthchecks.io, Dead Man's Snitch, Cronitor). If every instance is down, or none can reach
/// its store, the pings stop and the service outside pages.
public struct DeadMansSwitchSettings: Sendable, Hashable {
    /// The ping URL; a secret (it is enough to hold the switch), never printed.
    public var url: Secret
    /// How often each healthy instance pings.
    public var interval: Duration = .seconds(60)
    public var method: String = "GET"
    public var timeout: Duration = .seconds(10)

    public init(url: Secret) {
        self.url = url
    }
}

/// Pings the dead-man's switch while the engine's loop reaches its store. Every instance pings:
/// the switch holds while any of them is healthy.
public struct DeadMansSwitch: Sendable {
    public let settings: DeadMansSwitchSettings
    let poster: HTTPPoster

    public init(settings: DeadMansSwitchSettings, client: HTTPClient) {
        self.settings = settings
        self.poster = HTTPPoster(client: client, timeout: settings.timeout)
    }

    /// Until cancelled: every interval, if `health` reports no store failure and the notifier's
    /// store answers now, requests the URL. A failed ping is logged (without the URL) and tried
    /// again at the next interval.
    public func run(health: EngineHealth, notifier: Notifier) async {
        let logger = notifier.logger
        var failing = false
        repeat {
            if health.failure == nil, (try? await notifier.store.read { _ in true }) == true {
                switch await poster.send(method: HTTPMethod(rawValue: settings.method), url: settings.url.exposedValue, headers: [:], body: nil) {
                case .success(let answer) where (200..<300).contains(answer.status):
                    if failing { logger.notice("dead man's switch: ping answered again") }
                    failing = false
                case .success(let answer):
                    logger.warning("dead man's switch: ping answered HTTP \(answer.status)")
                    failing = true
                case .failure(let failure):
                    logger.warning("dead man's switch: ping failed", metadata: ["reason": "\(failure.outcome.reason ?? "transport error")"])
                    failing = true
                }
            } else {
                logger.warning("dead man's switch: not pinging while the state store does not answer")
            }
        } while (try? await Task.sleep(for: settings.interval)) != nil
    }
}
