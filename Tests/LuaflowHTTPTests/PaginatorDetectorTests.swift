import Foundation
import Testing
@testable import LuaflowHTTP

/// PaginatorDetector on hand-written first responses: what `type = "auto"` follows, what it
/// reads as one page, and what it refuses to guess.
@Suite struct PaginatorDetectorTests {
    static let auto = PaginatorConfig(style: .auto)

    static func detect(_ body: String, headers: HTTPHeaderFields = [:], recordsPath: String? = nil) -> PaginatorDetector.Result {
        var base = auto
        base.recordsPath = recordsPath
        base.maxPages = 7
        return PaginatorDetector.detect(url: "https://api.example.com/items", headers: headers, body: Array(body.utf8), base: base)
    }

    @Test func aLinkHeaderWithNextIsLinkHeaderKeepingTheSharedSettings() {
        let result = Self.detect("[]", headers: ["Link": #"<https://api.example.com/items?page=2>; rel="next""#], recordsPath: "")
        guard case .paginator(let config, let evidence) = result else { Issue.record("\(result)"); return }
        #expect(config.style == .linkHeader)
        #expect(config.maxPages == 7)
        #expect(config.recordsPath == "")
        #expect(evidence.contains("Link header"))
    }

    @Test func nextURLsInTheBodyAreNextURL() {
        for (body, path) in [(#"{"data": [1], "links": {"next": "https://api.example.com/items?p=2"}}"#, "links.next"),
                             (#"{"results": [1], "next": "/items?p=2"}"#, "next"),
                             (#"{"data": [1], "meta": {"pagination": {"next_url": "?p=2"}}}"#, "meta.pagination.next_url"),
                             (#"{"data": [1], "_links": {"next": {"href": "https://x/2"}}}"#, "_links.next.href"),
                             (#"{"value": [1], "@nextLink": "https://x/2"}"#, "@nextLink")] {
            let result = Self.detect(body)
            guard case .paginator(let config, _) = result else { Issue.record("\(body): \(result)"); continue }
            #expect(config.style == .nextURL, "\(body)")
            #expect(config.nextURLPath == path, "\(body)")
        }
    }

    @Test func aCursorHasMoreOrATotalBeyondThePageCannotBeGuessed() {
        let cases: [(String, String)] = [
            (#"{"data": [1], "meta": {"next_cursor": "c10"}}"#, "a cursor at meta.next_cursor"),
            (#"{"items": [1], "next": "abc"}"#, "a cursor at next"),
            (#"{"data": [1], "has_more": true}"#, "has_more = true"),
            (#"{"data": [1, 2], "total": 25}"#, "counts 25 records at total but holds 2"),
            (#"{"items": [1], "page": 1, "total_pages": 3}"#, "counts 3 pages at total_pages"),
        ]
        for (body, evidence) in cases {
            let result = Self.detect(body)
            guard case .undetectable(let found, let hint) = result else { Issue.record("\(body): \(result)"); continue }
            #expect(found.contains(evidence), "\(found)")
            #expect(hint.hasPrefix("paginator = {"), "\(hint)")
        }
    }

    @Test func whatNamesNoOtherPageIsOnePage() {
        for body in ["[{\"id\": 1}]", #"{"data": [1, 2], "total": 2}"#, #"{"items": [1], "total_pages": 1, "has_more": false}"#,
                     #"{"id": 1, "name": "one entity"}"#, #"{"data": [], "links": {"next": null}}"#, "", "not json"] {
            let result = Self.detect(body)
            guard case .singlePage = result else { Issue.record("\(body): \(result)"); continue }
        }
    }

    @Test func theTotalIsComparedWithTheRecordsAtRecordsPath() {
        let body = #"{"page": {"rows": [1, 2, 3]}, "other": [1], "count": 3}"#
        guard case .singlePage = Self.detect(body, recordsPath: "page.rows") else { Issue.record("records_path"); return }
        guard case .undetectable = Self.detect(body) else { Issue.record("first list"); return }
    }

    @Test func anAutoWalkFollowsWhatTheFirstPageShowedAndNothingElse() throws {
        var config = Self.auto
        config.recordsPath = ""
        #expect(config.makeStateMachine() is SinglePagePaginator)
        #expect(throws: Never.self) { try config.validate() }
        #expect(try PaginatorConfig.decode(json: Data(#"{"type": "auto"}"#.utf8)).style == .auto)
    }
}
