import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import XCTest

/// Segment counting and cutting, against hand-computed cases.
final class SMSTextTests: NotifyTestCase {
    func testPlainASCIIIsGSM7With160And153PerSegment() {
        XCTAssertEqual(SMSText.encoding(of: "DB failover in prod"), .gsm7)
        XCTAssertEqual(SMSText.segmentCount(""), 0)
        XCTAssertEqual(SMSText.segmentCount(String(repeating: "a", count: 160)), 1)
        XCTAssertEqual(SMSText.segmentCount(String(repeating: "a", count: 161)), 2)
        XCTAssertEqual(SMSText.segmentCount(String(repeating: "a", count: 306)), 2)   // 2 × 153
        XCTAssertEqual(SMSText.segmentCount(String(repeating: "a", count: 307)), 3)
    }

    func testGSMAccentedLettersStayGSM7ButOthersForceUCS2() {
        XCTAssertEqual(SMSText.encoding(of: "Café à Zürich, ÅÆØ"), .gsm7)      // é à ü Å Æ Ø are in the GSM alphabet
        XCTAssertEqual(SMSText.encoding(of: "façade"), .ucs2)                    // ç (lower case) is not
        XCTAssertEqual(SMSText.encoding(of: "down 🚨"), .ucs2)
    }

    func testExtensionCharactersCountDouble() {
        XCTAssertEqual(SMSText.encoding(of: "€[]{}"), .gsm7)
        XCTAssertEqual(SMSText.segmentCount(String(repeating: "€", count: 80)), 1)   // 160 septets
        XCTAssertEqual(SMSText.segmentCount(String(repeating: "€", count: 81)), 2)   // 162 septets
        // An escape pair is never split across segments: 152 + 2 does not fit in 153.
        XCTAssertEqual(SMSText.segmentCount(String(repeating: "a", count: 152) + "€" + String(repeating: "a", count: 152)), 3)
        XCTAssertEqual(SMSText.segmentCount(String(repeating: "a", count: 151) + "€" + String(repeating: "a", count: 153)), 2)
    }

    func testUCS2Has70And67PerSegmentAndEmojiCountTwo() {
        XCTAssertEqual(SMSText.segmentCount(String(repeating: "ж", count: 70)), 1)
        XCTAssertEqual(SMSText.segmentCount(String(repeating: "ж", count: 71)), 2)
        XCTAssertEqual(SMSText.segmentCount(String(repeating: "🚨", count: 35)), 1)   // 70 UTF-16 units
        XCTAssertEqual(SMSText.segmentCount(String(repeating: "🚨", count: 36)), 2)
        // 67 units a segment, but a surrogate pair stays whole: 33 emoji (66 units) per segment.
        XCTAssertEqual(SMSText.segmentCount(String(repeating: "🚨", count: 66)), 2)
        XCTAssertEqual(SMSText.segmentCount(String(repeating: "🚨", count: 67)), 3)
    }

    func testFitLeavesShortTextAlone() {
        XCTAssertEqual(SMSText.fit("short", maxSegments: 1), "short")
    }

    func testFitCutsGSMTextWithThreeDots() {
        let fitted = SMSText.fit(String(repeating: "a", count: 200), maxSegments: 1)
        XCTAssertEqual(fitted, String(repeating: "a", count: 157) + "...")
        XCTAssertEqual(SMSText.segmentCount(fitted), 1)
        let two = SMSText.fit(String(repeating: "b", count: 400), maxSegments: 2)
        XCTAssertEqual(two, String(repeating: "b", count: 303) + "...")
    }

    func testFitCutsUCS2TextWithAnEllipsisCharacter() {
        XCTAssertEqual(SMSText.fit(String(repeating: "ж", count: 100), maxSegments: 1), String(repeating: "ж", count: 69) + "…")
    }

    func testFitNeverSplitsASurrogatePairOrAGrapheme() {
        // 34 emoji (68 units) + "…" (1) = 69 fits; a 35th would make 71.
        XCTAssertEqual(SMSText.fit(String(repeating: "🚨", count: 40), maxSegments: 1), String(repeating: "🚨", count: 34) + "…")
        // A family emoji is one grapheme of 8 UTF-16 units: it goes whole or not at all.
        let family = "👨‍👩‍👧"
        let text = String(repeating: "x", count: 65) + family + "tail"
        XCTAssertEqual(SMSText.fit(text, maxSegments: 1), String(repeating: "x", count: 65) + "…")
    }

    func testFitDropsTrailingSpaceBeforeTheDots() {
        let text = String(repeating: "word ", count: 40)
        let fitted = SMSText.fit(text, maxSegments: 1)
        XCTAssertTrue(fitted.hasSuffix("word..."), fitted)
        XCTAssertLessThanOrEqual(fitted.count, 160)
    }
}

extension SMSTextTests {
    func testACutNeverBacksOverAWholeEmojiSummary() {
        let prefix = "CRITICAL #12 Failover prod/db-1: "
        let text = prefix + String(repeating: "🔥", count: 30)
        let fitted = SMSText.fit(text, maxSegments: 1)
        XCTAssertEqual(SMSText.segmentCount(fitted), 1)
        XCTAssertTrue(fitted.hasPrefix(prefix + "🔥🔥🔥🔥"), "the summary is kept as far as it fits: \(fitted)")
        XCTAssertTrue(fitted.hasSuffix("…"), fitted)
    }

    func testACutStillEndsAtANearbyWordBoundary() {
        let text = "CRITICAL #12 Failover prod/db-1: primary 🔥 failed its health checks; promoted replica db-secondary-2 in prod-us-east"
        let fitted = SMSText.fit(text, maxSegments: 1)
        XCTAssertEqual(SMSText.segmentCount(fitted), 1)
        XCTAssertTrue(fitted.hasSuffix(" promoted…") || fitted.hasSuffix(";…") || fitted.hasSuffix("checks…") || fitted.hasSuffix("replica…"), fitted)
    }
}
