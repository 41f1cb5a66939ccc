@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import HTTPTypes
import XCTest

/// Twilio SMS and voice against a real HTTP server on 127.0.0.1 that plays Twilio.
final class TwilioChannelTests: NotifyTestCase {
    static let created = FakeHTTPServer.Answer(status: .created, body: #"{"sid":"SM0123456789abcdef","status":"queued","num_segments":"1"}"#, headers: ["Content-Type": "application/json"])

    private func config(_ server: FakeHTTPServer, extra: String = "") throws -> NotifyConfig {
        try ConfigLoader(environment: ["TWILIO_TOKEN": "SUPERSECRETTOKEN"]).parse("""
            delivery: {max_attempts: 3, initial_backoff: 1s, jitter: 0}
            channels:
              twilio-sms:
                type: twilio_sms
                account_sid: ACtest
                auth_token: ${TWILIO_TOKEN}
                from: "+15005550006"
                base_url: \(server.baseURL)
                status_callback: https://notify.example.com/twilio/status
              twilio-voice:
                type: twilio_voice
                account_sid: ACtest
                auth_token: ${TWILIO_TOKEN}
                from: "+15005550006"
                base_url: \(server.baseURL)
                callback_url: https://notify.example.com/
                ring_timeout: 25s
                machine_detection: Enable
            \(extra)
            contacts:
              alice: {phone: "+14155550100"}
            routes:
              - notify:
                  - {channel: twilio-sms, to: [alice]}
            """)
    }

    private func send(_ channel: String, server: FakeHTTPServer, clock: ManualClock = ManualClock(), summary: String = "Primary failed health checks; promoted db-secondary-2",
                      action: EventAction = .trigger, extra: String = "") async throws -> DeliveryReport {
        let runtime = try await NotifyRuntime(config: try config(server, extra: extra), clock: clock)
        let alice = try XCTUnwrap(runtime.config.contacts["alice"])
        let planned = PlannedDelivery(
            alert: AlertStateMachine.newAlert(id: 7, from: AlertEvent(kind: .failover, environment: "prod-us-east", source: "db-primary-1", summary: summary), at: clock.now()),
            event: AlertEvent(kind: .failover, action: action, summary: summary), channel: channel, recipient: alice, route: "test")
        let report = await runtime.notifier.deliver(planned)
        try await runtime.shutdown()
        XCTAssertFalse("\(report)".contains("SUPERSECRETTOKEN"))
        return report
    }

    func testSMSIsAFormPostWithBasicAuth() async throws {
        let server = try await FakeHTTPServer(script: [Self.created])
        let report = try await send("twilio-sms", server: server)
        await server.stop()
        XCTAssertEqual(report.outcome, .delivered(providerID: "SM0123456789abcdef"))
        XCTAssertEqual(report.recipient, "alice")
        let request = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(request.path, "/2010-04-01/Accounts/ACtest/Messages.json")
        XCTAssertEqual(request.headers["authorization"], "Basic " + Data("ACtest:SUPERSECRETTOKEN".utf8).base64EncodedString())
        XCTAssertEqual(request.headers["content-type"], "application/x-www-form-urlencoded")
        XCTAssertEqual(request.form["To"], "+14155550100")
        XCTAssertEqual(request.form["From"], "+15005550006")
        XCTAssertEqual(request.form["StatusCallback"], "https://notify.example.com/twilio/status")
        XCTAssertEqual(request.form["Body"], "CRITICAL #7 Failover prod-us-east/db-primary-1: Primary failed health checks; promoted db-secondary-2")
        XCTAssertEqual(SMSText.segmentCount(request.form["Body"] ?? ""), 1)
    }

    /// When `notify serve` takes replies (a server with a public_url), a page says how to
    /// acknowledge it, and that survives the cut to one segment.
    func testAPageEndsWithHowToAcknowledgeWhenRepliesReachNotify() async throws {
        let server = try await FakeHTTPServer(script: [Self.created, Self.created])
        let serve = "server: {token: t0ken, public_url: \"https://notify.example.com\"}"
        _ = try await send("twilio-sms", server: server, extra: serve)
        _ = try await send("twilio-sms", server: server, summary: String(repeating: "replica lag growing ", count: 20), extra: serve)
        await server.stop()
        let short = try XCTUnwrap(server.requests.first?.form["Body"])
        XCTAssertEqual(short, "CRITICAL #7 Failover prod-us-east/db-primary-1: Primary failed health checks; promoted db-secondary-2 Reply 4 or ACK 7 to acknowledge")
        let long = try XCTUnwrap(server.requests.last?.form["Body"])
        XCTAssertEqual(SMSText.segmentCount(long), 1)
        XCTAssertTrue(long.hasSuffix("... Reply 4 or ACK 7 to acknowledge"), long)
    }

    func testLongSMSIsCutToOneSegment() async throws {
        let server = try await FakeHTTPServer(script: [Self.created])
        _ = try await send("twilio-sms", server: server, summary: String(repeating: "replica lag growing ", count: 20))
        await server.stop()
        let body = try XCTUnwrap(server.requests.first?.form["Body"])
        XCTAssertEqual(SMSText.segmentCount(body), 1)
        XCTAssertTrue(body.hasSuffix("..."), body)
    }

    func testErrorsMapToRetryableOrPermanentWithTwiliosCode() async throws {
        let cases: [(HTTPResponse.Status, String, String)] = [
            (.badRequest, #"{"code":21211,"message":"The 'To' number 5551234567 is not a valid phone number.","more_info":"https://www.twilio.com/docs/errors/21211","status":400}"#, "permanent"),
            (.badRequest, #"{"code":21610,"message":"Attempt to send to unsubscribed recipient","status":400}"#, "permanent"),
            (.badRequest, #"{"code":21608,"message":"The number is unverified.","status":400}"#, "permanent"),
            (.badRequest, #"{"code":21614,"message":"'To' number is not a valid mobile number","status":400}"#, "permanent"),
            (.unauthorized, #"{"code":20003,"message":"Authenticate","status":401}"#, "permanent"),
            (.badRequest, #"{"code":21611,"message":"This 'From' number has exceeded the maximum number of queued messages","status":400}"#, "retryable"),
            (.tooManyRequests, #"{"code":20429,"message":"Too Many Requests","status":429}"#, "retryable"),
            (.internalServerError, #"{"code":20500,"message":"Internal Server Error","status":500}"#, "retryable"),
            (.serviceUnavailable, "upstream unavailable", "retryable"),
        ]
        for (status, body, expected) in cases {
            let outcome = TwilioResponse.outcome(status: UInt(status.code), body: .init(string: body), retryAfter: nil, now: Date())
            XCTAssertEqual(outcome.label, expected, body)
        }
        let invalid = TwilioResponse.outcome(status: 400, body: .init(string: #"{"code":21211,"message":"The 'To' number 5551234567 is not a valid phone number.","status":400}"#), retryAfter: nil, now: Date())
        XCTAssertEqual(invalid, .permanent(reason: "Twilio 21211: The 'To' number 5551234567 is not a valid phone number."))
        XCTAssertEqual(TwilioResponse.outcome(status: 503, body: .init(string: "upstream unavailable"), retryAfter: nil, now: Date()),
                       .retryable(reason: "HTTP 503 upstream unavailable", retryAfter: nil))
    }

    func testRateLimitIsRetriedAfterRetryAfter() async throws {
        let server = try await FakeHTTPServer(script: [
            .init(status: .tooManyRequests, body: #"{"code":20429,"message":"Too Many Requests","status":429}"#, headers: ["Retry-After": "3"]),
            Self.created,
        ])
        let clock = ManualClock()
        let report = try await send("twilio-sms", server: server, clock: clock)
        await server.stop()
        XCTAssertTrue(report.outcome.isDelivered)
        XCTAssertEqual(server.requests.count, 2)
        XCTAssertEqual(clock.sleeps, [.seconds(3)])
    }

    func testPermanentErrorIsNotRetried() async throws {
        let server = try await FakeHTTPServer(script: [.init(status: .badRequest, body: #"{"code":21610,"message":"Attempt to send to unsubscribed recipient","status":400}"#)])
        let clock = ManualClock()
        let report = try await send("twilio-sms", server: server, clock: clock)
        await server.stop()
        XCTAssertEqual(report.outcome, .permanent(reason: "Twilio 21610: Attempt to send to unsubscribed recipient"))
        XCTAssertEqual(server.requests.count, 1)
        XCTAssertEqual(clock.sleeps, [])
    }

    func testVoiceCallCarriesTwiMLThatSpeaksTheAlertAndOffersTheKeypadMenu() async throws {
        let server = try await FakeHTTPServer(script: [.init(status: .created, body: #"{"sid":"CA0123","status":"queued"}"#)])
        let report = try await send("twilio-voice", server: server, summary: "Primary <db-1> & replica \"lagging\"")
        await server.stop()
        XCTAssertEqual(report.outcome, .delivered(providerID: "CA0123"))
        let request = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(request.path, "/2010-04-01/Accounts/ACtest/Calls.json")
        XCTAssertEqual(request.form["To"], "+14155550100")
        XCTAssertEqual(request.form["From"], "+15005550006")
        XCTAssertEqual(request.form["Timeout"], "25")
        XCTAssertEqual(request.form["MachineDetection"], "Enable")
        let twiml = try XCTUnwrap(request.form["Twiml"])
        XCTAssertLessThanOrEqual(twiml.count, 4000)
        let document = try TwiMLDocument(twiml)
        XCTAssertEqual(document.elements.first, "Response")
        let gather = try XCTUnwrap(document.attributes["Gather"])
        XCTAssertEqual(gather["numDigits"], "1")
        XCTAssertEqual(gather["action"], "https://notify.example.com/twilio/voice/gather?alert=7")
        XCTAssertEqual(gather["method"], "POST")
        let spoken = document.texts["Say"] ?? []
        XCTAssertEqual(spoken.filter { $0.contains("Primary <db-1> & replica \"lagging\".") }.count, 2, "\(spoken)")
        XCTAssertTrue(spoken.contains("Press 4 to acknowledge, or 6 to resolve."))
        XCTAssertTrue(document.elements.contains("Hangup"))
    }

    func testACallAboutAResolutionOffersNoKeypadMenu() async throws {
        let server = try await FakeHTTPServer(script: [.init(status: .created, body: #"{"sid":"CA0124","status":"queued"}"#)])
        _ = try await send("twilio-voice", server: server, action: .resolve)
        await server.stop()
        let document = try TwiMLDocument(try XCTUnwrap(server.requests.first?.form["Twiml"]))
        XCTAssertNil(document.attributes["Gather"], "nothing to acknowledge in a resolve notice")
        XCTAssertFalse((document.texts["Say"] ?? []).contains { $0.contains("Press 4") })
    }

    func testTwiMLWithoutCallbackSpeaksTwiceAndHangsUp() throws {
        let document = try TwiMLDocument(TwiML.alertCall(text: "critical alert, number 7.", gatherURL: nil))
        XCTAssertNil(document.attributes["Gather"])
        XCTAssertEqual(document.texts["Say"], ["critical alert, number 7.", "critical alert, number 7."])
        XCTAssertEqual(document.attributes["Pause"]?["length"], "1")
    }

    func testTwiMLStaysUnderTwiliosLimit() throws {
        let twiml = TwiML.alertCall(text: String(repeating: "very long summary & more ", count: 200), gatherURL: "https://n.example.com/twilio/voice/gather?alert=1")
        XCTAssertLessThanOrEqual(twiml.count, TwiML.maxLength)
        XCTAssertNoThrow(try TwiMLDocument(twiml))
    }
}

/// A TwiML document parsed with Foundation's XMLParser: element names in order, each element's
/// attributes and text.
struct TwiMLDocument {
    var elements: [String] = []
    var attributes: [String: [String: String]] = [:]
    var texts: [String: [String]] = [:]

    init(_ xml: String) throws {
        let delegate = Collector()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = delegate
        guard parser.parse() else {
            throw NSError(domain: "TwiML", code: 1, userInfo: [NSLocalizedDescriptionKey: "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "?")"])
        }
        elements = delegate.elements
        attributes = delegate.attributes
        texts = delegate.texts
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var elements: [String] = []
        var attributes: [String: [String: String]] = [:]
        var texts: [String: [String]] = [:]
        private var stack: [(String, String)] = []

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            elements.append(name)
            if !attributes.isEmpty { self.attributes[name] = attributes }
            stack.append((name, ""))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if !stack.isEmpty { stack[stack.count - 1].1 += string }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            guard let (element, text) = stack.popLast() else { return }
            if !text.isEmpty { texts[element, default: []].append(text) }
        }
    }
}
