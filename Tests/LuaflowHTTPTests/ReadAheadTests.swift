import Foundation
import LuaflowHTTP
import LuaflowTesting
import TestSupport
import Testing

/// A page walk asks for the next page as soon as it knows it, while its caller works on the page
/// it got: still one request at a time, only for methods without side effects, never past
/// `max_pages`.
@Suite struct ReadAheadTests {
    typealias Walk = (server: TestHTTPServer, runtime: HTTPRuntime, pages: PageIterator)

    /// A walk over `query` of /cursor (3 records a page) with `paginator` settings added.
    func walk(method: String = "GET", query: String = "total=9", paginator extra: String = "",
              _ body: (Walk) throws -> Void) throws {
        let server = try TestHTTPServer.start()
        defer { server.stop() }
        let runtime = HTTPRuntime(clock: SystemHTTPClock())
        defer { try? runtime.syncShutdown() }
        let session = try HTTPSession(config: sessionConfig(#"{"base_url": "\#(server.baseURL)"}"#), runtime: runtime)
        let paginator = try paginatorConfig(#"{"type": "cursor", "cursor_path": "meta.next_cursor", "records_path": "data", "limit": 3\#(extra)}"#)
        try body((server, runtime, PageIterator(session: session, request: HTTPRequest(method: method, url: "/cursor?\(query)"),
                                                paginator: paginator)))
    }

    /// Waits up to 5 s for the server to have received `count` requests for /cursor.
    func waitForRequests(_ count: Int, on server: TestHTTPServer) -> Bool {
        let deadline = Date().addingTimeInterval(5)
        while server.requests(path: "/cursor").count < count {
            if Date() > deadline { return false }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return true
    }

    @Test func theNextPageIsRequestedWhileTheCallerHoldsThisOne() throws {
        try walk { w in
            let first = try #require(try w.pages.next())
            #expect(first.recordCount == 3)
            #expect(waitForRequests(2, on: w.server), "page 2 was asked for before the walk was asked for it")
            var records = 3
            while let page = try w.pages.next() { records += page.recordCount ?? 0 }
            #expect(records == 9)
            #expect(w.server.requests(path: "/cursor").count == 3, "each page once, nothing after the last")
        }
    }

    @Test func requestsWithSideEffectsAndMaxPagesAreNotReadAhead() throws {
        try walk(method: "POST") { w in
            _ = try #require(try w.pages.next())
            Thread.sleep(forTimeInterval: 0.3)
            #expect(w.server.requests(path: "/cursor").count == 1, "a POST page is sent only when asked for")
            #expect(try w.pages.next() != nil)
        }
        try walk(paginator: #", "max_pages": 2"#) { w in
            _ = try #require(try w.pages.next())
            _ = try #require(try w.pages.next())
            Thread.sleep(forTimeInterval: 0.3)
            #expect(try w.pages.next() == nil)
            #expect(w.server.requests(path: "/cursor").count == 2, "nothing past max_pages")
        }
    }

    /// Page 2 holds a record that is not UTF-8: its read ahead (page 3) is dropped, the walk stays
    /// on page 2 and asks for it again, and page 3's records never come out.
    @Test func aPageWhoseRecordsAreBadKeepsTheWalkOnIt() throws {
        let server = try TestHTTPServer.start()
        defer { server.stop() }
        server.route("/bad-records") { request in
            let body: [UInt8]
            switch request.queryValue("cursor") {
            case nil: body = Array(#"{"data":[{"id":1}],"next":"b"}"#.utf8)
            case "b": body = Array(#"{"data":[{"id":2,"name":""#.utf8) + [0xFF] + Array(#""}],"next":"c"}"#.utf8)
            default: body = Array(#"{"data":[{"id":3}],"next":null}"#.utf8)
            }
            return TestHTTPResponse(headers: [("Content-Type", "application/json")], body: body)
        }
        let runtime = HTTPRuntime(clock: SystemHTTPClock())
        defer { try? runtime.syncShutdown() }
        let session = try HTTPSession(config: sessionConfig(#"{"base_url": "\#(server.baseURL)"}"#), runtime: runtime)
        let paginator = try paginatorConfig(#"{"type": "cursor", "cursor_path": "next", "cursor_param": "cursor", "records_path": "data"}"#)
        let pages = PageIterator(session: session, request: HTTPRequest(url: "/bad-records"), paginator: paginator)
        #expect(try pages.next(records: true)?.records?.count == 1)
        for _ in 1...2 {
            #expect(throws: HTTPError.self) { try pages.next(records: true) }
            #expect(pages.nextToken?.contains("b") == true, "still on page 2: \(pages.nextToken ?? "none")")
        }
        #expect(server.requests(path: "/bad-records").filter { $0.queryValue("cursor") == "b" }.count == 2, "page 2 asked for again")
    }
}

