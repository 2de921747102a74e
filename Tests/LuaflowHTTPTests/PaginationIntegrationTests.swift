import Foundation
import LuaflowHTTP
import TestSupport
import Testing

@Suite struct PaginationIntegrationTests {
    /// Fetches every page and returns the record ids in order, and the pages.
    func collect(_ server: TestHTTPServer, _ runtime: HTTPRuntime, path: String, query: [(String, String)] = [],
                 paginator json: String) async throws -> (ids: [Int], pages: [Page]) {
        let session = try HTTPSession(config: sessionConfig(#"{"base_url": "\#(server.baseURL)"}"#), runtime: runtime)
        let config = try paginatorConfig(json)
        let iterator = PageIterator(session: session, request: HTTPRequest(url: path, query: query), paginator: config)
        var ids: [Int] = [], pages: [Page] = []
        while let page = try await iterator.nextPage() {
            let records = try #require(JSONPath.lookup(config.recordsPath ?? "", in: try page.response.json()) as? [[String: Any]])
            #expect(page.recordCount == records.count)
            ids += records.compactMap { $0["id"] as? Int }
            pages.append(page)
            try #require(pages.count <= 100, "runaway pagination")
        }
        return (ids, pages)
    }

    @Test(arguments: [
        ("/cursor", [("total", "23"), ("limit", "5")], #"{"type": "cursor", "cursor_path": "meta.next_cursor", "records_path": "data"}"#, 5),
        ("/cursor", [("total", "23")], #"{"type": "cursor", "cursor_path": "meta.next_cursor", "limit": 4, "has_more_path": "has_more", "records_path": "data"}"#, 6),
        ("/offset", [("total", "23")], #"{"type": "offset", "limit": 5, "total_path": "total", "records_path": "data"}"#, 5),
        ("/offset", [("total", "20")], #"{"type": "offset", "limit": 5, "records_path": "data"}"#, 5),  // last page is empty
        ("/offset", [("total", "23"), ("max_limit", "4")], #"{"type": "offset", "limit": 10, "total_path": "total", "records_path": "data"}"#, 6),
        ("/page", [("total", "23")], #"{"type": "page", "page_size_param": "per_page", "page_size": 5, "records_path": "items"}"#, 5),
        ("/page", [("total", "20"), ("per_page", "5")], #"{"type": "page", "total_pages_path": "total_pages", "records_path": "items"}"#, 4),
        ("/next_url", [("total", "23"), ("limit", "5")], #"{"type": "next_url", "next_url_path": "links.next", "records_path": "results"}"#, 5),
        ("/next_url", [("total", "23"), ("limit", "5"), ("relative", "1")], #"{"type": "next_url", "next_url_path": "links.next", "records_path": "results"}"#, 5),
        ("/link", [("total", "23"), ("per_page", "5")], #"{"type": "link_header", "records_path": ""}"#, 5),
    ])
    func everyStyleFetchesEveryRecordExactlyOnce(path: String, query: [(String, String)], paginator: String, expectedPages: Int) async throws {
        try await withServer { server, runtime in
            let total = Int(query.first { $0.0 == "total" }!.1)!
            let (ids, pages) = try await collect(server, runtime, path: path, query: query, paginator: paginator)
            #expect(ids == Array(1...total))
            #expect(pages.count == expectedPages)
            #expect(pages.map(\.number) == Array(1...expectedPages))
            #expect(server.requests(path: path).count == expectedPages)
        }
    }

    @Test func maxPagesStopsEarlyWithoutError() async throws {
        try await withServer { server, runtime in
            let (ids, pages) = try await collect(server, runtime, path: "/cursor", query: [("total", "50"), ("limit", "5")],
                                                 paginator: #"{"type": "cursor", "cursor_path": "meta.next_cursor", "records_path": "data", "max_pages": 3}"#)
            #expect(ids == Array(1...15))
            #expect(pages.count == 3)
            #expect(server.requests(path: "/cursor").count == 3)
        }
    }

    @Test func aRepeatingCursorIsReportedAsALoop() async throws {
        try await withServer { server, runtime in
            let error = await httpError {
                _ = try await collect(server, runtime, path: "/cursor-repeat", paginator: #"{"type": "cursor", "cursor_path": "next_cursor", "records_path": "data"}"#)
            }
            #expect(error?.kind == .paginationLoop)
            #expect(error?.method == "GET")
            #expect(error?.url?.contains("/cursor-repeat?cursor=same") == true)
            #expect(error?.description.contains("cursor 'same'") == true)
            #expect(server.requests(path: "/cursor-repeat").count == 2)
        }
    }

    @Test func anIgnoredPageParameterIsReportedAsALoop() async throws {
        try await withServer { server, runtime in
            let error = await httpError {
                _ = try await collect(server, runtime, path: "/page-ignored", paginator: #"{"type": "page", "records_path": "items"}"#)
            }
            #expect(error?.kind == .paginationLoop)
            #expect(server.requests(path: "/page-ignored").count == 2)
        }
    }

    @Test func malformedJSONNamesThePage() async throws {
        try await withServer { server, runtime in
            let error = await httpError {
                _ = try await collect(server, runtime, path: "/malformed", paginator: #"{"type": "cursor", "cursor_path": "next"}"#)
            }
            #expect(error?.kind == .invalidResponse)
            #expect(error?.description.contains("page 1 is not valid JSON") == true)
            #expect(error?.bodyExcerpt == #"{"data": [1, 2"#)
        }
    }

    @Test func queryParametersOfTheRequestSurviveAndPageParametersReplaceThem() async throws {
        try await withServer { server, runtime in
            let session = try HTTPSession(config: sessionConfig(#"{"base_url": "\#(server.baseURL)"}"#), runtime: runtime)
            let request = HTTPRequest(url: "/offset?total=12&offset=999", query: [("filter", "active")])
            let iterator = PageIterator(session: session, request: request,
                                        paginator: try paginatorConfig(#"{"type": "offset", "limit": 5, "total_path": "total", "records_path": "data"}"#))
            var count = 0
            while let page = try await iterator.nextPage() { count += page.recordCount ?? 0 }
            #expect(count == 12)
            let sent = server.requests(path: "/offset")
            #expect(sent.map { $0.queryValue("offset") } == ["0", "5", "10"])
            #expect(sent.allSatisfy { $0.queryValue("filter") == "active" && $0.query.filter { $0.0 == "offset" }.count == 1 })
        }
    }

    @Test func blockingIteratorOnADedicatedThread() async throws {
        try await withServer { server, runtime in
            let session = try HTTPSession(config: sessionConfig(#"{"base_url": "\#(server.baseURL)"}"#), runtime: runtime)
            let paginator = try paginatorConfig(#"{"type": "link_header"}"#)
            let ids: [Int] = try await onThread {
                let iterator = PageIterator(session: session, request: HTTPRequest(url: "/link?total=17&per_page=4"), paginator: paginator)
                var ids: [Int] = []
                while let page = try iterator.next() {
                    #expect(page.recordCount == nil)  // link_header without records_path never reads the body
                    ids += try (JSONSerialization.jsonObject(with: Data(page.response.body)) as! [[String: Any]]).map { $0["id"] as! Int }
                }
                return ids
            }
            #expect(ids == Array(1...17))
        }
    }
}
