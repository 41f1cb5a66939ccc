import Alerting
@testable import AlertingConfig
@testable import AlertingSQLite
@testable import AlertingServer
import Foundation
import XCTest

final class JSONParserTests: NotifyTestCase {
    private func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    private func syntaxError(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            let value = try JSONParser.parse(bytes)
            XCTFail("expected an error, got \(value)", file: file, line: line)
            return ""
        } catch {
            return error.description
        }
    }

    private func syntaxError(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        syntaxError(Array(text.utf8), file: file, line: line)
    }

    func testEveryKindOfValue() throws {
        let value = try parse(#" {"s":"x","i":-42,"d":1.5e3,"t":true,"f":false,"n":null,"a":[1,[],{}],"o":{"k":"v"}} "#)
        XCTAssertEqual(value, .object([
            "s": .string("x"), "i": .int(-42), "d": .double(1500), "t": .bool(true), "f": .bool(false), "n": .null,
            "a": .array([.int(1), .array([]), .object([:])]), "o": .object(["k": .string("v")]),
        ]))
    }

    func testEscapesAndSurrogatePairs() throws {
        XCTAssertEqual(try parse(#""q\" b\\ s\/ \b\f\n\r\t é \u00e9 \ud83d\udea8""#), .string("q\" b\\ s/ \u{08}\u{0C}\n\r\t é é 🚨"))
        XCTAssertEqual(try parse("\"raw 🚨 ünïcode\""), .string("raw 🚨 ünïcode"))
    }

    func testNumbers() throws {
        XCTAssertEqual(try parse("0"), .int(0))
        XCTAssertEqual(try parse("9223372036854775807"), .int(Int64.max))
        XCTAssertEqual(try parse("9223372036854775808"), .double(9223372036854775808))
        XCTAssertEqual(try parse("-0.25"), .double(-0.25))
        XCTAssertTrue(syntaxError("01").contains("unexpected text after the JSON value"))
        XCTAssertTrue(syntaxError("1.").contains("digits expected after '.'"))
        XCTAssertTrue(syntaxError("-").contains("invalid number"))
    }

    func testErrorsSayWhere() {
        XCTAssertEqual(syntaxError(#"{"a" 1}"#), "expected ':' after a key at byte 6")
        XCTAssertEqual(syntaxError(#"{"a":1"#), "unexpected end of input (unclosed object) at byte 7")
        XCTAssertEqual(syntaxError("garbage"), "unexpected character 'g' at byte 1")
        XCTAssertEqual(syntaxError(#"{"a":tru}"#), "invalid literal (expected true) at byte 6")
        XCTAssertEqual(syntaxError(#""\x""#), #"invalid escape '\x' at byte 3"#)
        XCTAssertEqual(syntaxError("\"a\nb\""), "control character in a string (escape it) at byte 3")
        XCTAssertEqual(syntaxError(#""\ud83d""#), #"unpaired surrogate in \u escape at byte 8"#)
        XCTAssertEqual(syntaxError(""), "unexpected end of input at byte 1")
        XCTAssertEqual(syntaxError(#"{} {}"#), "unexpected text after the JSON value at byte 4")
    }

    func testInvalidUTF8IsRefused() {
        XCTAssertEqual(syntaxError([0x22, 0x61, 0xFF, 0x22]), "string is not valid UTF-8 at byte 2")
    }

    func testDeepNestingIsRefused() {
        XCTAssertTrue(syntaxError(String(repeating: "[", count: 100) + String(repeating: "]", count: 100)).contains("nested deeper than 64 levels"))
        XCTAssertNoThrow(try parse(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)))
    }

    func testAgreesWithFoundationOnEncodedSize() throws {
        let value = try parse(#"{"a":"x\"y\n","b":[1,2.5,true,null],"c":{"d":"é\u0001"}}"#)
        let encoded = try JSONEncoder().encode(value)
        XCTAssertEqual(value.encodedSize, encoded.count)
    }
}

extension JSONParserTests {
    func testCompactJSONRoundTripsThroughTheParserAndFoundation() throws {
        let value = JSONValue.object([
            "quote\"back\\slash": .string("line\nfeed\ttab\u{01}ctl \u{1F} é 🔥 /slash"),
            "list": .array([.int(-3), .double(1.5), .bool(true), .null, .object([:]), .array([])]),
            "b": .string(""),
        ])
        let text = value.compactJSON
        XCTAssertEqual(try JSONParser.parse(Array(text.utf8)), value)
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(text.utf8)), text)
        XCTAssertTrue(text.hasPrefix(#"{"b":"","list":"#), "sorted keys: \(text)")
        XCTAssertEqual(text.utf8.count, value.encodedSize)
    }
}
