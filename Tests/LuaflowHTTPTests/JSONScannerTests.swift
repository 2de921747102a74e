import Foundation
import LuaflowHTTP
import Testing

@Suite struct JSONScannerTests {
    let document = #"""
        { "data" : [ {"id": 1, "tags": ["a", "b"]}, {"id": 2, "nested": {"deep": [1, [2, {"x": "}]"}]]}} ],
          "meta": {"next_cursor": "c\"2\\\u00e9\ud83d\ude00", "total": 42, "ratio": -2.5e2, "more": false, "none": null,
                   "big": 9007199254740993, "obj": {"k": 1}},
          "esc\u0061ped": "yes", "empty": [], "nums": [10, 20, 30] }
        """#

    @Test func extractsScalarsAtPaths() throws {
        let extract = try JSONScanner.scan(Array(document.utf8),
                                           values: ["meta.next_cursor", "meta.total", "meta.ratio", "meta.more", "meta.none",
                                                    "meta.missing", "meta.obj", "escaped", "data.1.id", "nums.2", "meta.big"],
                                           counts: [])
        #expect(extract.values["meta.next_cursor"] as? String == "c\"2\\é😀")
        #expect(extract.values["meta.total"] as? Int == 42)
        #expect(extract.values["meta.ratio"] as? Double == -250)
        #expect(extract.values["meta.more"] as? Bool == false)
        #expect(extract.values["meta.none"] == nil && extract.values["meta.missing"] == nil)
        #expect(extract.values["meta.obj"] is JSONScanner.Container)
        #expect(extract.values["escaped"] as? String == "yes")
        #expect(extract.values["data.1.id"] as? Int == 2)
        #expect(extract.values["nums.2"] as? Int == 30)
        #expect(JSONPath.string(extract.values["meta.big"]) == "9007199254740993")
    }

    @Test func countsArrays() throws {
        let extract = try JSONScanner.scan(Array(document.utf8), values: [], counts: ["data", "empty", "meta", "meta.none", "nope", "nums"])
        #expect(extract.counts == ["data": 2, "empty": 0, "meta": 1, "nums": 3])
        #expect(try JSONScanner.scan(Array(" [1, 2, [3, 4]] ".utf8), values: [], counts: [""]).counts[""] == 3)
    }

    @Test func agreesWithJSONSerialization() throws {
        let paths = ["meta.next_cursor", "meta.total", "meta.ratio", "meta.more", "meta.big", "data.0.id", "data.0.tags.1", "escaped", "nums.0"]
        let scanned = try JSONScanner.scan(Array(document.utf8), values: paths, counts: ["data"])
        let parsed = PageSnapshot(url: "", json: try JSONSerialization.jsonObject(with: Data(document.utf8)), paths: paths, recordsPath: "data")
        for path in paths {
            #expect(JSONPath.string(scanned.values[path]) == JSONPath.string(parsed.value(at: path)), "\(path)")
        }
        #expect(scanned.counts["data"] == parsed.recordCount)
    }

    @Test(arguments: [#"{"data": [1, 2"#, #"{"a" 1}"#, "[1, 2,]x", #"{"a": tru}"#, #""unterminated"#, "", "   ", "{} {}",
                      #"{"a": [}"#, "-", #"{"a": "\u12"}"#])
    func rejectsMalformedDocuments(_ text: String) {
        let error = #expect(throws: HTTPError.self) { try JSONScanner.scan(Array(text.utf8), values: ["a"], counts: ["data"]) }
        #expect(error?.kind == .invalidResponse)
    }

    @Test func rejectsAbsurdNesting() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: HTTPError.self) { try JSONScanner.scan(Array(deep.utf8), values: [], counts: [""]) }
    }

    @Test func negativeIndexesFallBackToAFullParse() {
        #expect(!JSONScanner.canScan("data.-1.id"))
        #expect(JSONScanner.canScan("data.0.id"))
    }
}
