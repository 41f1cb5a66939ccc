@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import XCTest

final class TemplateRendererTests: NotifyTestCase {
    let renderer = TemplateRenderer()
    let slack = TemplateSelector(family: "slack", format: .slackJSON)
    let console = TemplateSelector(family: "console", format: .text)

    private func notification(kind: AlertKind = .healthCheckFailure, summary: String = "web-1 failed 3 checks", details: [String: JSONValue] = [:], status: AlertStatus = .triggered) -> Alerting.Notification {
        let event = AlertEvent(kind: kind, environment: "prod-us-east", source: "web-1", summary: summary, details: details, links: [Link(href: "https://runbooks/x?a=1&b=2", text: "runbook")])
        var alert = AlertStateMachine.newAlert(id: 42, from: event, at: Date(timeIntervalSince1970: 1_795_514_400))
        alert.status = status
        return Notification(alert: alert, event: event, body: nil)
    }

    private func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func testSlackMessageIsValidBlockKitWithTheAlertsFacts() throws {
        let body = try renderer.render(notification(details: ["attempts": .int(3)]), channelName: "ops", selector: slack)
        let message = try json(body)
        let text = try XCTUnwrap(message["text"] as? String)
        XCTAssertTrue(text.contains("[WARNING] Health check failure in prod-us-east: web-1 failed 3 checks"), text)
        let blocks = try XCTUnwrap(message["blocks"] as? [[String: Any]])
        XCTAssertEqual(blocks.first?["type"] as? String, "section")
        XCTAssertEqual(blocks.last?["type"] as? String, "context")
        XCTAssertTrue(body.contains("Alert #42"))
        XCTAssertTrue(body.contains("*attempts*: 3"))
        XCTAssertTrue(body.contains("*Source*\\nweb-1"))
    }

    func testHostileTextStaysValidJSONAndIsEscapedForMrkdwn() throws {
        let hostile = "quote \" backslash \\ newline \n tab \t ctrl \u{01} <!channel> & <@U123> emoji 🚨 \u{2028}"
        let body = try renderer.render(notification(summary: hostile, details: ["k\"ey": .string("<b>&")]), channelName: "ops", selector: slack)
        let message = try json(body)
        let text = try XCTUnwrap(message["text"] as? String)
        XCTAssertTrue(text.contains("&lt;!channel&gt; &amp; &lt;@U123&gt;"), text)
        XCTAssertFalse(text.contains("<!channel>"))
        XCTAssertTrue(text.contains("quote \" backslash \\ newline \n tab"))
        XCTAssertTrue(text.contains("🚨"))
        XCTAssertTrue(body.contains("&lt;b&gt;&amp;"))
    }

    func testKindSpecificTemplateIsPreferred() throws {
        let body = try renderer.render(
            notification(kind: .failover, summary: "promoted", details: ["from": .string("db-primary-1"), "to": .string("db-secondary-2")]),
            channelName: "ops", selector: slack)
        XCTAssertTrue(body.contains("*Primary* `db-primary-1` → *now serving* `db-secondary-2`"), body)
        _ = try json(body)
    }

    func testConsoleLineIsPlainText() throws {
        let body = try renderer.render(notification(summary: "a <b> & \"c\"", details: ["port": .int(5432)]), channelName: "stdout", selector: console)
        XCTAssertEqual(body, """
            2026-11-24T10:00:00Z WARNING #42 health_check_failure prod-us-east/web-1: a <b> & "c"
                port: 5432
                runbook: https://runbooks/x?a=1&b=2

            """)
    }

    func testResolvedAlertSaysSo() throws {
        let body = try renderer.render(notification(status: .resolved), channelName: "ops", selector: slack)
        XCTAssertTrue(try XCTUnwrap(try json(body)["text"] as? String).contains(":white_check_mark: [WARNING] Resolved: Health check failure"))
        let line = try renderer.render(notification(status: .resolved), channelName: "stdout", selector: console)
        XCTAssertTrue(line.contains(" RESOLVED #42 "), line)
    }

    /// Every default template's resolve notice says who resolved the alert, and why, or that it
    /// resolved itself (issue 20 §4).
    func testAResolveNoticeSaysWhoResolvedItAndWhy() throws {
        func notice(actor: String?, note: String?) -> Alerting.Notification {
            var notice = notification(status: .resolved)
            notice.event = AlertEvent(kind: .healthCheckFailure, action: .resolve, dedupKey: notice.alert.dedupKey, actor: actor, note: note)
            return notice
        }
        let sms = TemplateSelector(family: "sms", format: .text)
        for (actor, note, said) in [("alice", "fixed the disk", "by alice: fixed the disk"), ("notify", "auto_resolve: nothing for 10m", "by itself: auto_resolve: nothing for 10m"),
                                    (nil, nil, "by its source")] as [(String?, String?, String)] {
            let line = try renderer.render(notice(actor: actor, note: note), channelName: "stdout", selector: console)
            XCTAssertTrue(line.contains("RESOLVED \(said) #42"), line)
            let text = try renderer.render(notice(actor: actor, note: note), channelName: "sms", selector: sms)
            XCTAssertTrue(text.contains("RESOLVED \(said) #42"), text)
            for kind in [AlertKind.healthCheckFailure, .failover] {
                var slackNotice = notice(actor: actor, note: note)
                slackNotice.alert.kind = kind
                let message = try json(try renderer.render(slackNotice, channelName: "ops", selector: slack))
                XCTAssertTrue("\(message["blocks"] ?? "")".contains("Resolved \(said)"), "\(kind): \(message)")
            }
        }
        // A page (not a resolve notice) of an alert resolved meanwhile names nobody.
        XCTAssertTrue(try renderer.render(notification(status: .resolved), channelName: "stdout", selector: console).contains(" RESOLVED #42 "))
    }

    func testTemplatesDirectoryOverridesOneTemplateAndKeepsTheRest() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tpl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("console"), withIntermediateDirectories: true)
        try "custom {{alert.id}} {{alert.summary}}".write(to: directory.appendingPathComponent("console/default.mustache"), atomically: true, encoding: .utf8)
        let custom = TemplateRenderer(templates: try TemplateSet.builtIn.overlaid(withDirectory: directory.path))
        XCTAssertEqual(try custom.render(notification(), channelName: "c", selector: console), "custom 42 web-1 failed 3 checks")
        XCTAssertNoThrow(try custom.render(notification(), channelName: "c", selector: slack))
    }

    func testTemplateThatBreaksJSONIsAnErrorNotABadRequest() throws {
        let broken = TemplateRenderer(templates: TemplateSet(texts: ["slack/default.json": #"{"text": "{{{alert.summary}}}"}"#]))
        XCTAssertThrowsError(try broken.render(notification(summary: "has \" quote"), channelName: "ops", selector: slack)) { error in
            XCTAssertEqual(error as? TemplateError, .invalidJSON(name: "slack/default.json"))
        }
    }

    func testTemplateSyntaxErrorInDirectoryNamesTheFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tpl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("slack"), withIntermediateDirectories: true)
        try "{{#open}} never closed".write(to: directory.appendingPathComponent("slack/default.json.mustache"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TemplateSet.builtIn.overlaid(withDirectory: directory.path)) { error in
            XCTAssertTrue("\(error)".hasPrefix("template slack/default.json.mustache:"), "\(error)")
        }
    }

    func testBuiltInTemplatesMatchTheTemplatesFolder() throws {
        // scripts/embed-templates keeps the binary's defaults and Templates/ the same.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Templates")
        var onDisk: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            guard url.pathExtension == "mustache" else { continue }
            let relative = String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1))
            onDisk[String(relative.dropLast(".mustache".count))] = try String(contentsOf: url, encoding: .utf8)
        }
        XCTAssertFalse(onDisk.isEmpty)
        XCTAssertEqual(onDisk, TemplateSet.builtIn.texts, "run scripts/embed-templates after editing Templates/")
    }
}
