import Foundation
import XCTest

/// Pages of one dedup key on one channel go out in the order of their events (#19): an
/// incident, its resolve notice, the next incident of the key; unrelated alerts concurrently.
final class PageOrderTests: NotifyTestCase {
    func testTriggerResolveTriggerOfOneKeyInOneReadReachTheChannelInOrderEveryTime() async throws {
        // Answers take 0 to 40 ms, at random: a later page overtakes an earlier one unless
        // notify keeps their order.
        let server = try await FakeHTTPServer { _, _ in .init(status: .ok, body: "ok", delay: .milliseconds(Int.random(in: 0...40))) }
        let config = try writeTemporaryConfig("""
            delivery: {timeout: 2s, max_concurrent: 16}
            channels:
              hook: {type: webhook, url: "\(server.baseURL)/hook"}
            routes: [{notify: [hook], notify_on_resolve: true}]
            """)
        let others = (0..<8).map { #"{"kind":"failover","source":"web-\#($0)","summary":"web-\#($0) failed over"}"# }
        let incident = [#"{"kind":"failover","dedup_key":"db","summary":"db failed over"}"#,
                        #"{"kind":"failover","dedup_key":"db","action":"resolve","summary":"db is back"}"#,
                        #"{"kind":"failover","dedup_key":"db","summary":"db failed over again"}"#]
        let stream = (others.prefix(4) + incident + others.dropFirst(4)).joined(separator: "\n") + "\n"
        for run in 0..<10 {
            let before = server.requests.count
            let result = try await NotifyProcess.run(["watch", "--config", config], stdin: Data(stream.utf8), environment: ["NOTIFY_STATE": temporaryStatePath()])
            XCTAssertEqual(result.status, 0, result.stderr)
            let pages = server.requests.dropFirst(before).compactMap { request -> (action: String, alert: Int)? in
                guard let json = request.json, let alert = json["alert"] as? [String: Any], alert["dedup_key"] as? String == "db",
                      let id = alert["id"] as? Int, let action = (json["event"] as? [String: Any])?["action"] as? String else { return nil }
                return (action, id)
            }
            let described = pages.map { "\($0.action) #\($0.alert)" }
            XCTAssertEqual(pages.count, 3, "run \(run): both incidents and the resolve notice: \(described)")
            guard pages.count == 3 else { continue }
            XCTAssertEqual(pages.map(\.action), ["trigger", "resolve", "trigger"], "run \(run): \(described)")
            XCTAssertEqual(pages[0].alert, pages[1].alert, "run \(run): \(described)")
            XCTAssertLessThan(pages[1].alert, pages[2].alert, "run \(run): the first incident's pages first: \(described)")
        }
        await server.stop()
    }
}
