import Foundation
import LuaflowHTTP
import Testing

@Suite struct JSONPathTests {
    let body = try! JSONSerialization.jsonObject(with: Data(#"""
        {"data": {"items": [{"id": 1}, {"id": 2}, {"id": 3}], "next": null},
         "meta": {"total": 42, "total_text": "17", "more": true, "ratio": 2.5, "cursor": 9007199254740993},
         "list": [10, 20]}
        """#.utf8))

    @Test func followsKeysAndIndexes() {
        #expect(JSONPath.int(JSONPath.lookup("meta.total", in: body)) == 42)
        #expect(JSONPath.int(JSONPath.lookup("data.items.0.id", in: body)) == 1)
        #expect(JSONPath.int(JSONPath.lookup("data.items.-1.id", in: body)) == 3)
        #expect(JSONPath.int(JSONPath.lookup("$.data.items[1].id", in: body)) == 2)
        #expect(JSONPath.int(JSONPath.lookup("list.1", in: body)) == 20)
    }

    @Test func missingStepsAndNullAreNil() {
        #expect(JSONPath.lookup("data.next", in: body) == nil)
        #expect(JSONPath.lookup("data.nope.deeper", in: body) == nil)
        #expect(JSONPath.lookup("data.items.7", in: body) == nil)
        #expect(JSONPath.lookup("meta.total.x", in: body) == nil)
        #expect(JSONPath.lookup("list.x", in: body) == nil)
    }

    @Test func aStarCountsTheRecordsOfEveryElement() {
        let nested = try! JSONSerialization.jsonObject(with: Data(#"{"data": [{"items": [1, 2]}, {"items": [3]}, {"other": 1}], "by": {"a": {"items": [1]}, "b": {"items": [2, 3]}}}"#.utf8))
        #expect(JSONPath.recordCount(at: "data.*.items", in: nested) == 3)
        #expect(JSONPath.recordCount(at: "by.*.items", in: nested) == 3)
        #expect(JSONPath.recordCount(at: "nope.*.items", in: nested) == 0)
        #expect(!JSONScanner.canScan("data.*.items"))
    }

    @Test func emptyPathIsTheRoot() {
        #expect(JSONPath.lookup("", in: body) is [String: Any])
    }

    @Test func scalarsAsText() {
        #expect(JSONPath.string(JSONPath.lookup("meta.total", in: body)) == "42")
        #expect(JSONPath.string(JSONPath.lookup("meta.ratio", in: body)) == "2.5")
        #expect(JSONPath.string(JSONPath.lookup("meta.more", in: body)) == "true")
        #expect(JSONPath.string(JSONPath.lookup("data", in: body)) == nil)
        #expect(JSONPath.int(JSONPath.lookup("meta.total_text", in: body)) == 17)
        #expect(JSONPath.bool(JSONPath.lookup("meta.more", in: body)) == true)
    }

    @Test func recordCounts() throws {
        #expect(JSONPath.recordCount(at: "data.items", in: body) == 3)
        #expect(JSONPath.recordCount(at: "data.missing", in: body) == 0)
        #expect(JSONPath.recordCount(at: "meta", in: body) == 1)
        let array = try JSONSerialization.jsonObject(with: Data("[1, 2, 3, 4]".utf8))
        #expect(JSONPath.recordCount(at: "", in: array) == 4)
        #expect(try paginatorConfig(#"{"type": "none", "records_path": "data.items"}"#).extractRecordCount(from: body) == 3)
    }
}
