@testable import Alerting
import Foundation
import XCTest

/// The tokens acknowledgement buttons carry: one alert, one action, an expiry, signed.
final class ActionTokenTests: NotifyTestCase {
    private let now = Date(timeIntervalSince1970: 1_795_514_400)
    private let signer = ActionSigner(secret: Secret("0123456789abcdef-action-secret"))

    func testATokenVerifiesUntilItExpiresAndFitsATelegramButton() throws {
        let text = signer.token(alertID: 4_294_967_296, action: .acknowledge, now: now)
        XCTAssertLessThanOrEqual(text.utf8.count, 64, text)
        let token = try signer.verify(text, now: now.addingTimeInterval(6 * 24 * 3600)).get()
        XCTAssertEqual(token.alertID, 4_294_967_296)
        XCTAssertEqual(token.action, .acknowledge)
        XCTAssertEqual(signer.verify(text, now: now.addingTimeInterval(7 * 24 * 3600 + 1)), .failure(.expired))
        XCTAssertNotEqual(signer.token(alertID: 1, action: .resolve, now: now), signer.token(alertID: 1, action: .resolve, now: now), "a nonce each")
    }

    func testChangingAnyPartOrTheSecretIsAForgery() {
        let text = signer.token(alertID: 42, action: .acknowledge, now: now)
        var parts = text.split(separator: ".").map(String.init)
        for (index, replacement) in [(1, "43"), (2, "r"), (3, String(Int(parts[3])! + 3600)), (4, "AAAAAAAAAAA")] {
            var changed = parts
            changed[index] = replacement
            XCTAssertEqual(signer.verify(changed.joined(separator: "."), now: now), .failure(.forged), "part \(index)")
        }
        XCTAssertEqual(ActionSigner(secret: Secret("another-secret-of-16+")).verify(text, now: now), .failure(.forged))
        parts[5] = String(parts[5].reversed())
        XCTAssertEqual(signer.verify(parts.joined(separator: "."), now: now), .failure(.forged))
        for junk in ["", "1.42.a", "2.42.a.1.AAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA", "1.x.a.1.AAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA", "1.42.a.1.AAAAAAAAAAA.!!"] {
            XCTAssertEqual(signer.verify(junk, now: now), .failure(.malformed), junk)
        }
    }

    func testTheMarkIsKeptOutOfWhatPeopleRead() {
        let token = ActionToken(alertID: 1, action: .resolve, expires: now, nonce: "Q1cAbCdEfGh")
        XCTAssertEqual(ActionToken.withoutMark("by Mattermost, \(token.timelineMark)"), "by Mattermost")
        XCTAssertEqual(ActionToken.withoutMark("fixed it, token of thanks"), "fixed it, token of thanks")
    }
}
