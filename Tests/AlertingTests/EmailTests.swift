@testable import Alerting
@testable import AlertingConfig
import Foundation
import XCTest

/// Email against a real SMTP server on loopback (aiosmtpd): STARTTLS and implicit TLS with
/// authentication, text and HTML parts from the templates, one thread per alert, and what the
/// server's refusals mean.
final class EmailTests: NotifyTestCase {
    private func runtime(_ smtp: SMTPServerProcess, security: String = "starttls", password: String = SMTPServerProcess.password) async throws -> NotifyRuntime {
        let config = try ConfigLoader(environment: ["SMTP_PASSWORD": password]).parse("""
            channels:
              mail:
                type: email
                host: 127.0.0.1
                port: \(smtp.port)
                security: \(security)
                username: notify
                password: ${SMTP_PASSWORD}
                from: "notify <notify@example.com>"
                ca_file: \(SMTPServerProcess.certificate)
            contacts:
              alice: {email: alice@example.com}
            routes:
              - notify: [{channel: mail, to: [alice]}]
                notify_on_resolve: true
            delivery: {max_attempts: 1}
            """)
        return try await NotifyRuntime(config: config, clock: ManualClock())
    }

    /// The message's parts, decoded: (headers, text, html).
    private func parts(_ data: String) throws -> (headers: String, text: String, html: String) {
        let headerEnd = try XCTUnwrap(data.range(of: "\r\n\r\n"))
        let headers = String(data[..<headerEnd.lowerBound])
        let boundary = try XCTUnwrap(headers.range(of: #"boundary="([^"]+)""#, options: .regularExpression).map { String(headers[$0].dropFirst(10).dropLast()) })
        let sections = data.components(separatedBy: "--\(boundary)").dropFirst().filter { !$0.hasPrefix("--") }
        func decode(_ section: String) throws -> String {
            let body = try XCTUnwrap(section.range(of: "\r\n\r\n")).upperBound
            let base64 = section[body...].replacingOccurrences(of: "\r\n", with: "")
            return String(decoding: try XCTUnwrap(Data(base64Encoded: base64)), as: UTF8.self)
        }
        let text = try XCTUnwrap(sections.first { $0.contains("text/plain") })
        let html = try XCTUnwrap(sections.first { $0.contains("text/html") })
        return (headers, try decode(text), try decode(html))
    }

    func testAPageAndItsResolveGoOverSTARTTLSWithAuthInOneThread() async throws {
        guard try SMTPServerProcess.available() else { throw XCTSkip("aiosmtpd is not installed") }
        let smtp = try await SMTPServerProcess()
        defer { smtp.stop() }
        let runtime = try await runtime(smtp)
        let opened = try await runtime.notifier.process(AlertEvent(kind: .failover, severity: .critical, environment: "prod", source: "db-1",
                                                                   summary: "db-1 failed over <to> db-2 & back", dedupKey: "db"))
        XCTAssertEqual(opened.reports.first?.outcome.isDelivered, true, "\(opened.reports)")
        _ = try await runtime.notifier.process(AlertEvent(kind: .failover, action: .resolve, dedupKey: "db", actor: "alice", note: "promoted back"))
        try await runtime.notifier.runDue()
        try await runtime.shutdown()
        let messages = try await smtp.waitForMessages(2)
        XCTAssertEqual(messages.count, 2)
        let page = try XCTUnwrap(messages.first)
        XCTAssertEqual(page.from, "notify@example.com")
        XCTAssertEqual(page.to, ["alice@example.com"])
        XCTAssertTrue(page.tls, "STARTTLS before anything else")
        XCTAssertTrue(page.auth)
        let (headers, text, html) = try parts(page.data)
        XCTAssertTrue(headers.contains("Subject: [notify #1] Failover in prod: db-1 failed over <to> db-2 & back"), headers)
        XCTAssertTrue(headers.contains("From: notify <notify@example.com>"), headers)
        XCTAssertTrue(headers.contains("In-Reply-To: <alert-1@example.com>"), headers)
        XCTAssertTrue(text.contains("CRITICAL: db-1 failed over <to> db-2 & back"), text)
        XCTAssertTrue(html.contains("db-1 failed over &lt;to&gt; db-2 &amp; back"), html)
        XCTAssertFalse(html.contains("<to>"), "event text cannot open a tag")

        let (resolveHeaders, resolveText, _) = try parts(try XCTUnwrap(messages.last).data)
        XCTAssertTrue(resolveHeaders.contains("Subject: [notify #1] Failover in prod: db-1 failed over <to> db-2 & back"), "the same subject: \(resolveHeaders)")
        XCTAssertTrue(resolveHeaders.contains("References: <alert-1@example.com>"), resolveHeaders)
        XCTAssertTrue(resolveText.contains("RESOLVED by alice: promoted back"), resolveText)
        let ids = messages.compactMap { message in message.data.range(of: #"Message-ID: <[^>]+>"#, options: .regularExpression).map { String(message.data[$0]) } }
        XCTAssertEqual(Set(ids).count, ids.count)
    }

    func testImplicitTLSAndWhatRefusalsMean() async throws {
        guard try SMTPServerProcess.available() else { throw XCTSkip("aiosmtpd is not installed") }
        let tls = try await SMTPServerProcess(implicitTLS: true)
        let note = Alerting.Notification(alert: .sample(), event: AlertEvent(kind: .failover, summary: "s"), body: "Subject line\nbody",
                                         recipient: Contact(name: "alice", email: "alice@example.com"))
        func channel(_ server: SMTPServerProcess, security: SMTPClient.Security, password: String = SMTPServerProcess.password, caFile: String? = SMTPServerProcess.certificate) -> EmailChannel {
            EmailChannel(name: "mail", client: SMTPClient(server: .init(host: "127.0.0.1", port: server.port, security: security, username: "notify",
                                                                        password: Secret(password), caFile: caFile), timeout: .seconds(3)),
                         from: "notify@example.com")
        }
        let delivered = await channel(tls, security: .tls).deliver(note)
        XCTAssertTrue(delivered.isDelivered, "\(delivered)")
        let wrongPassword = await channel(tls, security: .tls, password: "SUPERSECRET-wrong").deliver(note)
        XCTAssertEqual(wrongPassword.label, "permanent")
        XCTAssertTrue(wrongPassword.reason?.hasPrefix("SMTP 535 at AUTH") == true, "\(wrongPassword)")
        XCTAssertFalse("\(wrongPassword)".contains("SUPERSECRET"))
        let untrusted = await channel(tls, security: .tls, caFile: nil).deliver(note)
        XCTAssertEqual(untrusted.label, "permanent", "a certificate that does not verify needs fixing: \(untrusted)")
        XCTAssertTrue(untrusted.reason?.hasPrefix("SMTP: TLS failed") == true, "\(untrusted)")
        XCTAssertEqual(tls.received.count, 1, "only the first message arrived")
        tls.stop()

        let busy = try await SMTPServerProcess(reject: 451)
        let later = await channel(busy, security: .startTLS).deliver(note)
        XCTAssertEqual(later, .retryable(reason: "SMTP 451 at RCPT TO: Try again later", retryAfter: nil))
        busy.stop()
        let unknown = try await SMTPServerProcess(reject: 550)
        let refused = await channel(unknown, security: .startTLS).deliver(note)
        XCTAssertEqual(refused, .permanent(reason: "SMTP 550 at RCPT TO: No such mailbox"))
        unknown.stop()
        let port = unknown.port
        let gone = await EmailChannel(name: "mail", client: SMTPClient(server: .init(host: "127.0.0.1", port: port), timeout: .seconds(2)), from: "n@example.com").deliver(note)
        XCTAssertEqual(gone.label, "retryable", "\(gone)")
    }

    func testDotsAreStuffedAndHeadersStayOneLine() {
        XCTAssertEqual(SMTPClient.dotStuffed("a\r\n.\r\n..b\r\n"), "a\r\n..\r\n...b\r\n")
        XCTAssertEqual(EmailMessage.header("db-1 down\r\nBcc: x@evil.example"), "db-1 down  Bcc: x@evil.example", "no header injection")
        XCTAssertEqual(EmailMessage.header("Zoë <z@example.com>"), "=?UTF-8?B?Wm/Dqw==?= <z@example.com>")
    }

    func testConfigRefusesPlainSMTPOffThisHostAndHalfCredentials() {
        func error(_ section: String) -> String {
            do {
                _ = try ConfigLoader(environment: [:]).parse("""
                    channels: {mail: {type: email, from: n@example.com, \(section)}}
                    contacts: {alice: {email: a@example.com}}
                    routes: [{notify: [{channel: mail, to: [alice]}]}]
                    """)
                return ""
            } catch { return "\(error)" }
        }
        XCTAssertTrue(error("host: smtp.example.com, security: none").contains("none is only allowed for a relay on a loopback address"))
        XCTAssertEqual(error("host: 127.0.0.1, security: none"), "")
        XCTAssertTrue(error("host: smtp.example.com, username: u").contains("give username and password together"))
        XCTAssertTrue(error("host: smtp.example.com, security: ssl").contains("expected one of: starttls, tls, none"))
    }
}
