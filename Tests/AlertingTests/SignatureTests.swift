@testable import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import XCTest

/// The published Slack and Twilio signature vectors (../shared/reference/wire-specs.md), and
/// what must be refused.
final class SignatureTests: NotifyTestCase {
    let slackBody = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    let slack = SlackSignature(signingSecret: Secret("8f742231b10e8888abcd99yyyzzz85a5"))
    let slackExpected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"

    func testSlackVector() {
        XCTAssertEqual(slack.sign(timestamp: "1531420618", body: Array(slackBody.utf8)), slackExpected)
        let at = Date(timeIntervalSince1970: 1531420618 + 100)
        XCTAssertNoThrow(try slack.verify(signature: slackExpected, timestamp: "1531420618", body: Array(slackBody.utf8), now: at).get())
    }

    func testSlackRefusesTamperedStaleAndMissing() {
        let at = Date(timeIntervalSince1970: 1531420618)
        let tampered = slackBody.replacingOccurrences(of: "roadrunner", with: "coyote")
        XCTAssertEqual(failure(slack.verify(signature: slackExpected, timestamp: "1531420618", body: Array(tampered.utf8), now: at)), .mismatch)
        XCTAssertEqual(failure(slack.verify(signature: slackExpected, timestamp: "1531420618", body: Array(slackBody.utf8), now: at + 301)), .stale)
        XCTAssertEqual(failure(slack.verify(signature: slackExpected, timestamp: "1531420618", body: Array(slackBody.utf8), now: at - 301)), .stale)
        XCTAssertEqual(failure(slack.verify(signature: nil, timestamp: "1531420618", body: Array(slackBody.utf8), now: at)), .missing)
        XCTAssertEqual(failure(slack.verify(signature: slackExpected, timestamp: nil, body: Array(slackBody.utf8), now: at)), .missing)
        let other = SlackSignature(signingSecret: Secret("another-secret"))
        XCTAssertEqual(failure(other.verify(signature: slackExpected, timestamp: "1531420618", body: Array(slackBody.utf8), now: at)), .mismatch)
    }

    private func failure(_ result: Result<Void, SlackSignature.Failure>) -> SlackSignature.Failure? {
        if case .failure(let failure) = result { return failure }
        return nil
    }

    let twilioParameters = [("CallSid", "CA1234567890ABCDE"), ("Caller", "+14158675309"), ("Digits", "1234"), ("From", "+14158675309"), ("To", "+18005551212")]
    let url = "https://mycompany.com/myapp.php?foo=1&bar=2"

    func testTwilioVectors() {
        let token = Secret("12345")
        XCTAssertEqual(TwilioSignature.sign(url: url, parameters: twilioParameters, token: token), "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
        XCTAssertEqual(TwilioSignature.sign(url: "https://mycompany.com:443/myapp.php?foo=1&bar=2", parameters: twilioParameters, token: token), "kvajT1Ptam85bY51eRf/AJRuM3w=")
        XCTAssertEqual(TwilioSignature.sign(url: "http://mycompany.com:80/myapp.php?foo=1&bar=2", parameters: twilioParameters, token: token), "0ZXoZLH/DfblKGATFgpif+LLRf4=")
        XCTAssertEqual(TwilioSignature.sign(url: "http://mycompany.com:1234/myapp.php?foo=1&bar=2", parameters: twilioParameters, token: token), "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=")
        let multi = [("Sid", "CA123"), ("SidAccount", "AC123"), ("Digits", "5678"), ("Digits", "1234"), ("Digits", "1234")]
        XCTAssertEqual(TwilioSignature.sign(url: url, parameters: multi, token: token), "IK+Dwps556ElfBT0I3Rgjkr1wJU=")
        let older = [("CallSid", "CA1234567890ABCDE"), ("Caller", "+12349013030"), ("Digits", "1234"), ("From", "+12349013030"), ("To", "+18005551212")]
        XCTAssertEqual(TwilioSignature.sign(url: url, parameters: older, token: token), "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    }

    func testTwilioAcceptsEitherPortFormAndRefusesForgeries() {
        let validator = TwilioSignature(authTokens: [Secret("other"), Secret("12345")])
        XCTAssertTrue(validator.isValid(signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=", url: url, parameters: twilioParameters))
        // Signed with :443, checked against the URL without it, and the other way round.
        XCTAssertTrue(validator.isValid(signature: "kvajT1Ptam85bY51eRf/AJRuM3w=", url: url, parameters: twilioParameters))
        XCTAssertTrue(validator.isValid(signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=", url: "https://mycompany.com:443/myapp.php?foo=1&bar=2", parameters: twilioParameters))
        var changed = twilioParameters
        changed[2] = ("Digits", "4")
        XCTAssertFalse(validator.isValid(signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=", url: url, parameters: changed))
        XCTAssertFalse(validator.isValid(signature: nil, url: url, parameters: twilioParameters))
        XCTAssertFalse(validator.isValid(signature: "", url: url, parameters: twilioParameters))
        XCTAssertFalse(TwilioSignature(authTokens: [Secret("54321")]).isValid(signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=", url: url, parameters: twilioParameters))
    }

    func testReplyGrammar() {
        XCTAssertEqual(ReplyCommand.parse("4"), ReplyCommand(action: .acknowledge))
        XCTAssertEqual(ReplyCommand.parse(" ACK "), ReplyCommand(action: .acknowledge))
        XCTAssertEqual(ReplyCommand.parse("4 123"), ReplyCommand(action: .acknowledge, alertID: 123))
        XCTAssertEqual(ReplyCommand.parse("ack #123"), ReplyCommand(action: .acknowledge, alertID: 123))
        XCTAssertEqual(ReplyCommand.parse("6"), ReplyCommand(action: .resolve))
        XCTAssertEqual(ReplyCommand.parse("Resolve 7"), ReplyCommand(action: .resolve, alertID: 7))
        XCTAssertNil(ReplyCommand.parse("hello"))
        XCTAssertNil(ReplyCommand.parse("ack abc"))
        XCTAssertNil(ReplyCommand.parse("ack 1 2"))
        XCTAssertNil(ReplyCommand.parse(""))
    }
}
