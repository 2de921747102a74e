import Foundation
import LuaflowHTTP
import Testing

/// Every body path the tests below use.
private let paths = ["meta.next", "next", "last_id", "has_more", "total", "pages", "links.next"]

/// A page as a paginator sees it, from a JSON literal, read the way ``PageIterator`` reads it
/// (with ``JSONScanner``). The records are under `data`.
private func page(_ json: String, url: String = "https://api.example.com/items", headers: HTTPHeaderFields = [:]) -> PageSnapshot {
    let extract = try! JSONScanner.scan(Array(json.utf8), values: paths, counts: ["data"])
    var hasher = Hasher()
    hasher.combine(json)
    return PageSnapshot(url: url, headers: headers, values: extract.values, recordCount: extract.counts["data"] ?? 0,
                        bodyDigest: hasher.finalize())
}

private func parameters(_ target: PageTarget?) -> [String: String] {
    guard case .parameters(let items)? = target else { return [:] }
    return Dictionary(items, uniquingKeysWith: { $1 })
}

@Suite struct CursorPaginatorTests {
    @Test func followsTheCursorUntilItIsNull() throws {
        var paginator = CursorPaginator(cursorParam: "after", cursorPath: "meta.next", limit: ("limit", 2))
        #expect(paginator.firstPage == .parameters([("limit", "2")]))
        let second = try paginator.next(after: page(#"{"data": [1, 2], "meta": {"next": "abc"}}"#))
        #expect(second == .parameters([("limit", "2"), ("after", "abc")]))
        #expect(try paginator.next(after: page(#"{"data": [3], "meta": {"next": null}}"#)) == nil)
    }

    @Test func stopsOnMissingOrEmptyCursor() throws {
        var a = CursorPaginator(cursorParam: "c", cursorPath: "next")
        #expect(try a.next(after: page(#"{"data": [1]}"#)) == nil)
        var b = CursorPaginator(cursorParam: "c", cursorPath: "next")
        #expect(try b.next(after: page(#"{"data": [1], "next": ""}"#)) == nil)
    }

    @Test func numericCursorsAreSentAsIntegers() throws {
        var paginator = CursorPaginator(cursorParam: "since", cursorPath: "last_id")
        #expect(parameters(try paginator.next(after: page(#"{"data": [1], "last_id": 1234567890123}"#)))["since"] == "1234567890123")
    }

    @Test func hasMoreFalseStops() throws {
        var paginator = CursorPaginator(cursorParam: "c", cursorPath: "next", hasMorePath: "has_more")
        #expect(try paginator.next(after: page(#"{"data": [1], "next": "x", "has_more": false}"#)) == nil)
    }

    @Test func emptyPageStopsUnlessHasMoreSaysOtherwise() throws {
        var stop = CursorPaginator(cursorParam: "c", cursorPath: "next")
        #expect(try stop.next(after: page(#"{"data": [], "next": "x"}"#)) == nil)
        var go = CursorPaginator(cursorParam: "c", cursorPath: "next", hasMorePath: "has_more")
        #expect(try go.next(after: page(#"{"data": [], "next": "x", "has_more": true}"#)) != nil)
        var optOut = CursorPaginator(cursorParam: "c", cursorPath: "next", stopOnEmptyPage: false)
        #expect(try optOut.next(after: page(#"{"data": [], "next": "x"}"#)) != nil)
    }

    @Test func aRepeatedCursorIsALoop() throws {
        var paginator = CursorPaginator(cursorParam: "c", cursorPath: "next")
        _ = try paginator.next(after: page(#"{"data": [1], "next": "a"}"#))
        _ = try paginator.next(after: page(#"{"data": [2], "next": "b"}"#))
        let error = #expect(throws: HTTPError.self) { try paginator.next(after: page(#"{"data": [3], "next": "a"}"#)) }
        #expect(error?.kind == .paginationLoop)
        #expect(error?.detail?.contains("cursor 'a'") == true)
        #expect(error?.detail?.contains("page 1") == true)
    }
}

@Suite struct OffsetPaginatorTests {
    @Test func advancesByTheRecordsReceivedUntilTheTotal() throws {
        var paginator = OffsetPaginator(limit: 2, totalPath: "total")
        #expect(parameters(paginator.firstPage) == ["offset": "0", "limit": "2"])
        #expect(parameters(try paginator.next(after: page(#"{"data": [1, 2], "total": 5}"#))) == ["offset": "2", "limit": "2"])
        #expect(parameters(try paginator.next(after: page(#"{"data": [3, 4], "total": 5}"#))) == ["offset": "4", "limit": "2"])
        #expect(try paginator.next(after: page(#"{"data": [5], "total": 5}"#)) == nil)
    }

    @Test func withATotalAShortPageIsNotTheEnd() throws {
        // The server caps the page at 3 although 10 were asked for.
        var paginator = OffsetPaginator(limit: 10, totalPath: "total")
        #expect(parameters(try paginator.next(after: page(#"{"data": [1, 2, 3], "total": 7}"#)))["offset"] == "3")
    }

    @Test func withoutATotalAShortOrEmptyPageIsTheEnd() throws {
        var paginator = OffsetPaginator(offsetParam: "skip", limitParam: "take", limit: 3)
        #expect(parameters(try paginator.next(after: page(#"{"data": [1, 2, 3]}"#))) == ["skip": "3", "take": "3"])
        #expect(try paginator.next(after: page(#"{"data": [4, 5]}"#)) == nil)
        var empty = OffsetPaginator(limit: 3)
        #expect(try empty.next(after: page(#"{"data": []}"#)) == nil)
    }

    @Test func theSamePageTwiceMeansTheOffsetIsIgnored() throws {
        var paginator = OffsetPaginator(limit: 2)
        _ = try paginator.next(after: page(#"{"data": [1, 2]}"#))
        let error = #expect(throws: HTTPError.self) { try paginator.next(after: page(#"{"data": [1, 2]}"#)) }
        #expect(error?.kind == .paginationLoop)
    }
}

@Suite struct PageNumberPaginatorTests {
    @Test func countsPagesUntilTotalPages() throws {
        var paginator = PageNumberPaginator(pageParam: "p", startPage: 0, pageSize: ("size", 2), totalPagesPath: "pages")
        #expect(parameters(paginator.firstPage) == ["p": "0", "size": "2"])
        #expect(parameters(try paginator.next(after: page(#"{"data": [1, 2], "pages": 2}"#))) == ["p": "1", "size": "2"])
        #expect(try paginator.next(after: page(#"{"data": [3, 4], "pages": 2}"#)) == nil)
    }

    @Test func stopsOnAShortPageWhenThePageSizeIsKnown() throws {
        var paginator = PageNumberPaginator(pageSize: (nil, 3))
        #expect(parameters(paginator.firstPage) == ["page": "1"])
        #expect(parameters(try paginator.next(after: page(#"{"data": [1, 2, 3]}"#))) == ["page": "2"])
        #expect(try paginator.next(after: page(#"{"data": [4]}"#)) == nil)
    }

    @Test func stopsOnAnEmptyPage() throws {
        var paginator = PageNumberPaginator()
        #expect(parameters(try paginator.next(after: page(#"{"data": [1]}"#))) == ["page": "2"])
        #expect(try paginator.next(after: page(#"{"data": []}"#)) == nil)
    }

    @Test func anIgnoredPageParameterIsALoop() throws {
        var paginator = PageNumberPaginator()
        _ = try paginator.next(after: page(#"{"data": [1]}"#))
        #expect(throws: HTTPError.self) { try paginator.next(after: page(#"{"data": [1]}"#)) }
    }
}

@Suite struct NextURLPaginatorTests {
    @Test func followsAbsoluteAndRelativeURLs() throws {
        var paginator = NextURLPaginator(nextURLPath: "links.next")
        #expect(try paginator.next(after: page(#"{"data": [1], "links": {"next": "https://api.example.com/items?page=2"}}"#))
                == .url("https://api.example.com/items?page=2"))
        #expect(try paginator.next(after: page(#"{"data": [2], "links": {"next": "/items?page=3"}}"#, url: "https://api.example.com/items?page=2"))
                == .url("https://api.example.com/items?page=3"))
        #expect(try paginator.next(after: page(#"{"data": [3], "links": {"next": null}}"#)) == nil)
    }

    @Test func aURLSeenBeforeIsALoop() throws {
        var paginator = NextURLPaginator(nextURLPath: "next")
        let first = "https://api.example.com/items"
        _ = try paginator.next(after: page(#"{"data": [1], "next": "https://api.example.com/items?page=2"}"#, url: first))
        let error = #expect(throws: HTTPError.self) {
            try paginator.next(after: page(#"{"data": [2], "next": "https://api.example.com/items"}"#, url: first + "?page=2"))
        }
        #expect(error?.kind == .paginationLoop)
    }
}

@Suite struct LinkHeaderPaginatorTests {
    @Test func followsRelNext() throws {
        var paginator = LinkHeaderPaginator()
        let headers: HTTPHeaderFields = ["Link": #"<https://api.github.com/x?page=2>; rel="next", <https://api.github.com/x?page=9>; rel="last""#]
        #expect(try paginator.next(after: PageSnapshot(url: "https://api.github.com/x", headers: headers)) == .url("https://api.github.com/x?page=2"))
        #expect(try paginator.next(after: PageSnapshot(url: "https://api.github.com/x?page=9", headers: ["Link": #"<https://api.github.com/x?page=1>; rel="first""#])) == nil)
    }

    @Test func aLinkBackIsALoop() throws {
        var paginator = LinkHeaderPaginator()
        _ = try paginator.next(after: PageSnapshot(url: "https://h/a", headers: ["Link": "<https://h/b>; rel=next"]))
        #expect(throws: HTTPError.self) {
            try paginator.next(after: PageSnapshot(url: "https://h/b", headers: ["Link": "</a>; rel=next"]))
        }
    }
}

@Suite struct LinkHeaderTests {
    @Test func parsesSeveralLinksWithCommasAndSemicolonsInsideTargets() {
        let links = LinkHeader.parse([#"<https://x.io/a?q=1,2;3>; rel="next"; title="a, \"quoted\"; b", <https://x.io/z>; REL="Last Prev""#])
        #expect(links.count == 2)
        #expect(links[0].target == "https://x.io/a?q=1,2;3")
        #expect(links[0].relations == ["next"])
        #expect(links[0].parameters["title"] == #"a, "quoted"; b"#)
        #expect(links[1].relations == ["last", "prev"])
    }

    @Test func combinesSeveralFieldsAndUnquotedValues() {
        let links = LinkHeader.parse(["</one>; rel=prev", "</two>;rel=next"])
        #expect(links.map(\.target) == ["/one", "/two"])
        #expect(LinkHeader.nextURL(in: HTTPHeaderFields([("link", "</one>; rel=prev"), ("Link", "</two>;rel=next")]),
                                   relativeTo: "https://h.io/list?page=1") == "https://h.io/two")
    }

    @Test func relationListsMayContainNext() {
        #expect(LinkHeader.nextURL(in: ["Link": #"<https://h.io/3>; rel="last next""#], relativeTo: "https://h.io") == "https://h.io/3")
    }

    @Test(arguments: ["", "garbage", "<unterminated; rel=next", ";;;,,,<", "<a>; rel", "<a>; =x; rel=\"next"])
    func malformedHeadersDoNotCrash(_ value: String) {
        _ = LinkHeader.parse([value])
        #expect(LinkHeader.nextURL(in: ["Link": "nonsense"], relativeTo: "https://h.io") == nil)
    }

    @Test func firstRelWins() {
        #expect(LinkHeader.parse([#"<a>; rel="prev"; rel="next""#]).first?.relations == ["prev"])
    }
}
