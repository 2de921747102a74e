import Foundation
import LuaflowHTTP
import LuaflowTesting
import TestSupport
import Testing

/// Pages fetched ahead (`concurrency`) and `session:get_many`: responses in order, every request
/// through the session, errors where they belong.
@Suite struct ConcurrentRequestTests {
    static let server = try! TestHTTPServer.start()

    /// 12 pages of an API answering each after 0.2 s, walked 4 at a time: every record once and in
    /// order, pages overlapping in time, on at most 4 connections.
    @Test func pagesFetchedAheadComeBackInOrder() async throws {
        let server = try TestHTTPServer.start()
        defer { server.stop() }
        server.route("/slow-pages") { request in
            let page = request.queryInt("page") ?? 1
            let records = TestDataset.records(from: (page - 1) * 10, count: 10, total: 120)
            return TestHTTPResponse.json(["items": records, "total_pages": 12]).delayed(by: 0.2)
        }
        let h = try LuaPipelineHarness()
        try h.write("pipeline.lua", """
        local api = source.http {
          name = "api", base_url = "\(server.baseURL)", path = "/slow-pages", records_path = "items", concurrency = 4,
          paginator = { type = "page", page_param = "page", total_pages_path = "total_pages" },
        }
        network { { api, sink.file { path = "out.jsonl" } } }
        """)
        try await h.run()
        #expect(try h.ids("out.jsonl") == Array(1...120))
        let requests = server.requests(path: "/slow-pages")
        #expect(requests.count == 12, "each page once")
        let arrivals = requests.map(\.arrivedAt).sorted()
        let overlapping = zip(arrivals, arrivals.dropFirst()).filter { $1 - $0 < 0.1 }.count
        #expect(overlapping >= 6, "pages were fetched while others were in flight: \(arrivals)")
        #expect(Set(requests.map(\.connection)).count <= 4, "connections are reused")
    }

    /// Without a total the pages cannot be named ahead: one at a time, whatever `concurrency` says.
    @Test func cursorPagesStayOneAtATime() async throws {
        let h = try LuaPipelineHarness()
        try h.write("pipeline.lua", """
        local api = source.http {
          name = "api", base_url = "\(Self.server.baseURL)", path = "/cursor", params = { total = 30 }, records_path = "data",
          concurrency = 8, paginator = { type = "cursor", cursor_path = "meta.next_cursor", limit = 10 },
        }
        network { { api, sink.file { path = "out.jsonl" } } }
        """)
        Self.server.clearLog()
        try await h.run()
        #expect(try h.ids("out.jsonl") == Array(1...30))
        #expect(Self.server.requests(path: "/cursor").count == 3)
    }

    @Test func getManyAnswersInRequestOrder() async throws {
        let server = try TestHTTPServer.start()
        defer { server.stop() }
        // Later requests answer sooner: completion order is the reverse of request order.
        server.route("/item") { request in
            let id = request.queryInt("id") ?? 0
            return TestHTTPResponse.json(["id": id]).delayed(by: Double(6 - id) * 0.05)
        }
        let h = try LuaPipelineHarness()
        try h.write("many.lua", """
        local session
        function init() session = http.session { base_url = config.base_url } end
        function get()
          local requests = {}
          for id = 1, 5 do requests[id] = { path = "/item", query = { id = id } } end
          local records = {}
          for i, res in ipairs(session:get_many(requests, { concurrency = 5 })) do records[i] = res:json() end
          return records, nil
        end
        """)
        try h.write("pipeline.lua", """
        network { { source("many.lua", { base_url = "\(server.baseURL)" }), sink.file { path = "out.jsonl" } } }
        """)
        try await h.run()
        #expect(try h.ids("out.jsonl") == [1, 2, 3, 4, 5])
        let arrivals = server.requests(path: "/item").map(\.arrivedAt)
        #expect(arrivals.max()! - arrivals.min()! < 0.1, "all five were sent before the first answer (0.05 s at the soonest)")
    }

    @Test func getManyRaisesTheFirstFailureOrReportsEach() async throws {
        let h = try LuaPipelineHarness()
        try h.write("many.lua", """
        local session
        function init() session = http.session { base_url = config.base_url, retry = { max_attempts = 1 } } end
        function get()
          local ok, err = pcall(session.get_many, session, { "/echo", "/status?code=404", "/status?code=500" })
          assert(not ok and err:find("404"), "the first failure in request order is raised: " .. tostring(err))
          local all = session:get_many({ "/echo", "/status?code=404", "http://127.0.0.1:1/nothing" }, { raise = false })
          return { { first = all[1].status, second = all[2].status, third_ok = all[3].ok, third_error = all[3].error } }, nil
        end
        """)
        try h.write("pipeline.lua", """
        network { { source("many.lua", { base_url = "\(Self.server.baseURL)" }), sink.file { path = "out.jsonl" } } }
        """)
        try await h.run()
        let record = try #require(try h.records("out.jsonl").first)
        #expect(record["first"] as? Int == 200)
        #expect(record["second"] as? Int == 404)
        #expect(record["third_ok"] as? Bool == false)
        #expect((record["third_error"] as? String)?.contains("127.0.0.1:1") == true, "\(record)")
    }
}
