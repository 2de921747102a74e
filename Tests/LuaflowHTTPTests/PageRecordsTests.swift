import Foundation
import LuaflowHTTP
import Testing

/// A page's records cut out of the body as JSON lines, without decoding them.
@Suite struct PageRecordsTests {
    func split(_ body: String, at path: String) throws -> PageRecords? {
        let bytes = Array(body.utf8)
        let extract = try JSONScanner.scan(bytes, plan: JSONScanner.Plan(spans: [path]))
        return try extract.spans[path].map { try PageRecords.split(bytes, span: $0) }
    }

    @Test func theArrayAtThePathBecomesOneLinePerRecordAsWritten() throws {
        let records = try #require(try split(#"{"meta": {"n": 2}, "data": [ {"id": 1, "x": 1.50, "s": "\u00e9"},"#
                                             + "\n" + #" {"id": 2, "tags": []} ]}"#, at: "data"))
        #expect(records.count == 2)
        #expect(String(decoding: records.lines, as: UTF8.self) == #"{"id": 1, "x": 1.50, "s": "\u00e9"}"# + "\n" + #"{"id": 2, "tags": []}"# + "\n")
    }

    @Test func theBodyItselfNullAndAMissingPath() throws {
        #expect(try split("[1, 2, 3]", at: "")?.count == 3)
        #expect(try split(#"{"data": null}"#, at: "data") == PageRecords())
        #expect(try split(#"{"items": []}"#, at: "data") == nil)
        #expect(try split(#"{"data": []}"#, at: "data") == PageRecords())
    }

    @Test func whatIsNotAListOfValidRecordsIsRefused() {
        #expect(throws: HTTPError.self) { try split(#"{"data": {"id": 1}}"#, at: "data") }
        #expect(throws: HTTPError.self) { try split(#"{"data": [{"id": 1.2.3}]}"#, at: "data") }
        #expect(throws: HTTPError.self) { try split(#"{"data": [{"id": 1} {"id": 2}]}"#, at: "data") }
    }
}
