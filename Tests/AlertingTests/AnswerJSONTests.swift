@testable import AlertingServer
import Foundation
import XCTest

/// `serve`'s answers are written by `AnswerJSON`, not `JSONSerialization`: the same JSON, keys
/// sorted, booleans as booleans, nothing dropped.
final class AnswerJSONTests: XCTestCase {
    func testAnAnswerIsTheJSONFoundationWouldWriteWithSortedKeys() throws {
        let missing: String? = nil
        let answer: [String: Any] = [
            "status": "invalid",
            "alerts": [["id": Int64(7), "dedup_key": "db/\"primary\"", "change": "opened", "line": 2, "unrouted": true, "ratio": 0.5] as [String: Any]],
            "errors": [["line": 3, "problems": [["field": "kind", "message": "missing\nkind"]]] as [String: Any]],
            "empty": [String](), "none": missing as Any, "flag": false,
        ]
        let written = String(decoding: AnswerJSON.encode(answer), as: UTF8.self)
        XCTAssertEqual(written, #"{"alerts":[{"change":"opened","dedup_key":"db/\"primary\"","id":7,"line":2,"ratio":0.5,"unrouted":true}],"#
                       + #""empty":[],"errors":[{"line":3,"problems":[{"field":"kind","message":"missing\nkind"}]}],"flag":false,"none":null,"status":"invalid"}"#)
        let parsed = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(written.utf8)) as? [String: Any])
        XCTAssertEqual((parsed["alerts"] as? [[String: Any]])?.first?["unrouted"] as? Bool, true)
        XCTAssertEqual(parsed["status"] as? String, "invalid")
    }
}
