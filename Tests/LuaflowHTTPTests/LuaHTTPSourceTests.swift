import Foundation
import LuaflowCore
import Testing
import TestSupport

/// `source.http` and `http.session` used from Lua, against the in-process test server.
@Suite struct LuaHTTPSourceTests {
    static let server = try! TestHTTPServer.start()

    private func declarative(_ paginator: String, path: String, recordsPath: String) async throws -> [Int] {
        let h = try LuaPipelineHarness()
        try h.write("pipeline.lua", """
        local api = source.http {
          name = "api", base_url = "\(Self.server.baseURL)", path = "\(path)", params = { total = 37 },
          paginator = \(paginator), records_path = "\(recordsPath)",
        }
        network { { api, sink.file { path = "out.jsonl" } } }
        """)
        let summary = try await h.run()
        #expect(summary.row("api")?.requests ?? 0 >= 1)
        return try h.ids("out.jsonl")
    }

    @Test(arguments: [
        (#"{ type = "cursor", cursor_param = "cursor", cursor_path = "meta.next_cursor", limit_param = "limit", limit = 10 }"#, "/cursor", "data"),
        (#"{ type = "offset", offset_param = "offset", limit_param = "limit", limit = 10, total_path = "total" }"#, "/offset", "data"),
        (#"{ type = "page", page_param = "page", page_size_param = "per_page", page_size = 10, total_pages_path = "total_pages" }"#, "/page", "items"),
        (#"{ type = "next_url", next_url_path = "links.next" }"#, "/next_url", "results"),
        (#"{ type = "link_header" }"#, "/link", ""),
    ])
    func everyPaginatorStyleFetchesEveryRecordOnce(paginator: String, path: String, recordsPath: String) async throws {
        #expect(try await declarative(paginator, path: path, recordsPath: recordsPath) == Array(1...37))
    }

    @Test func aRepeatingCursorStopsWithAClearError() async throws {
        let h = try LuaPipelineHarness()
        try h.write("pipeline.lua", """
        network { { source.http { base_url = "\(Self.server.baseURL)", path = "/cursor-repeat",
                                  paginator = { type = "cursor", cursor_path = "next_cursor" }, records_path = "data" },
                    sink.file { path = "out.jsonl" } } }
        """)
        let message = try #require(await h.failure())
        #expect(message.contains("cursor") && message.contains("repeat"), "\(message)")
    }

    @Test func aLuaConnectorPagesWithASessionAndGet() async throws {
        let h = try LuaPipelineHarness()
        try h.write("users.lua", """
        schema = {
          base_url  = { type = "url", required = true },
          page_size = { type = "integer", min = 1, max = 100, default = 7 },
          api_key   = { type = "secret", required = true },
        }
        local client
        function init()
          client = http.session { base_url = config.base_url, auth = { api_key = config.api_key, header = "X-API-Key" } }
        end
        function check() return client:get("/auth/api-key-header").status == 200 end
        function get(pagination, state)
          assert(check(), "auth failed")
          local res = client:get("/cursor", { query = { limit = config.page_size, cursor = pagination.cursor, total = 20 } })
          local body = res:json()
          local next_cursor = body.meta.next_cursor
          if next_cursor == json.null then return body.data, nil end
          return body.data, { cursor = next_cursor }
        end
        """)
        try h.write("pipeline.lua", """
        local users = source("users.lua", { base_url = "\(Self.server.baseURL)", api_key = "\(TestHTTPServer.Credentials.apiKey)" })
        network { { users, sink.file { path = "out.jsonl" } } }
        """)
        try await h.run()
        #expect(try h.ids("out.jsonl") == Array(1...20))
    }

    @Test func paginateIteratesPagesFromLua() async throws {
        let h = try LuaPipelineHarness()
        try h.write("pages.lua", """
        local pages
        function init()
          pages = http.session { base_url = "\(Self.server.baseURL)" }:paginate {
            path = "/link", query = { total = 12, per_page = 5 }, paginator = { type = "link_header" },
          }
        end
        function get()
          local page = pages()
          if page == nil then return nil end
          for _, r in ipairs(page.records) do r.page = page.number end
          return page.records, { n = page.number }
        end
        """)
        try h.write("pipeline.lua", #"network { { source("pages.lua"), sink.file { path = "out.jsonl" } } }"#)
        try await h.run()
        let records = try h.records("out.jsonl")
        #expect(records.compactMap { $0["id"] as? Int } == Array(1...12))
        #expect(records.compactMap { $0["page"] as? Int } == [1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3])
    }

    /// A walk that returned its last page is let go by the host (a node reading thousands of
    /// partitions keeps only the walks under way): asking it for more, behind the Lua side's back,
    /// finds nothing. A walk cut short by `max_pages` goes once it has said it is done.
    @Test func aFinishedWalkIsLetGo() async throws {
        let h = try LuaPipelineHarness()
        try h.write("walks.lua", """
        function get()
          local session = http.session { base_url = "\(Self.server.baseURL)" }
          local out = {}
          for _, max in ipairs { 0, 2 } do
            local pages = session:paginate {
              path = "/cursor", query = { total = 9, limit = 3 }, records_path = "data",
              paginator = { type = "cursor", cursor_path = "meta.next_cursor", max_pages = max > 0 and max or nil },
            }
            local n = 0
            while pages:next_records() do n = n + 1 end
            pages.done = false
            local ok, err = pcall(pages.next_records, pages)
            out[#out + 1] = { pages = n, asked_again = ok and "answered" or tostring(err) }
          end
          return out, nil
        end
        """)
        try h.write("pipeline.lua", #"network { { source("walks.lua"), sink.file { path = "out.jsonl" } } }"#)
        try await h.run()
        let records = try h.records("out.jsonl")
        #expect(records.compactMap { $0["pages"] as? Int } == [3, 2])
        for record in records {
            #expect((record["asked_again"] as? String)?.contains("unknown page iterator") == true, "\(record)")
        }
    }

    @Test func errorsNameMethodURLStatusAndAttemptsWithSecretsRedacted() async throws {
        let h = try LuaPipelineHarness()
        try h.write("bad.lua", """
        schema = { token = { type = "secret", required = true } }
        function run()
          local s = http.session { base_url = "\(Self.server.baseURL)", auth = { api_key = config.token, query = "api_key" },
                                   retry = { max_attempts = 2, base_delay = 0.01 } }
          local r = s:get("/status", { query = { code = 404, body = "nothing here" }, raise = false })
          assert(r.status == 404 and r.body == "nothing here" and r.headers["Content-Type"] ~= nil)
          s:get("/status", { query = { code = 503, body = "down" } })
        end
        """)
        try h.write("pipeline.lua", #"network { { source("bad.lua", { token = "sup3r-s3cret-t0ken" }), sink.stdout {} } }"#)
        let message = try #require(await h.failure())
        #expect(message.contains("bad.lua:7:"), "\(message)")
        #expect(message.contains("GET"))
        #expect(message.contains("/status"))
        #expect(message.contains("503"))
        #expect(message.contains("2 attempts"))
        #expect(!message.contains("sup3r-s3cret-t0ken"))
    }

    @Test func retriesAreCountedInTheSummary() async throws {
        let h = try LuaPipelineHarness()
        let tag = UUID().uuidString
        try h.write("flaky.lua", """
        local done = false
        function run()
          if done then return nil end
          done = true
          local s = http.session { base_url = "\(Self.server.baseURL)", retry = { base_delay = 0.01, max_delay = 0.05 } }
          return s:get("/flaky", { query = { tag = "\(tag)", fail = 2 } }):json()
        end
        """)
        try h.write("pipeline.lua", #"network { { source("flaky.lua", { name = "flaky" }), sink.file { path = "out.jsonl" } } }"#)
        let summary = try await h.run()
        #expect(try h.records("out.jsonl").first?["attempt"] as? Int == 3)
        #expect(summary.row("flaky")?.retries == 2)
        #expect(summary.row("flaky")?.requests == 3)
        #expect(summary.table().contains("retries"))
    }
}

@Suite struct LuaHTTPCredentialTests {
    @Test func credentialsNeverLeaveTheSessionsOrigin() async throws {
        let home = try TestHTTPServer.start()
        let elsewhere = try TestHTTPServer.start()
        let secret = "never-leak-this-token-42"
        home.route("/start") { _ in .json(["data": [["id": 1]], "next": "\(elsewhere.baseURL)/more"]) }
        elsewhere.route("/more") { _ in .json(["data": [["id": 2]], "next": NSNull()]) }
        let h = try LuaPipelineHarness()
        try h.write("pipeline.lua", """
        local api = source.http { base_url = "\(home.baseURL)", path = "/start", auth = { bearer = "\(secret)" },
                                  paginator = { type = "next_url", next_url_path = "next" }, records_path = "data" }
        network { { api, sink.file { path = "out.jsonl" } } }
        """)
        try await h.run()
        #expect(try h.ids("out.jsonl") == [1, 2])
        #expect(home.requests(path: "/start").first?.header("Authorization") == "Bearer \(secret)")
        #expect(elsewhere.requests(path: "/more").count == 1)
        #expect(elsewhere.requests(path: "/more").first?.header("Authorization") == nil)
        await home.stop()
        await elsewhere.stop()
    }

    @Test func aNextLinkElsewhereGetsOnlyHarmlessAndOptedInHeaders() async throws {
        let home = try TestHTTPServer.start()
        let elsewhere = try TestHTTPServer.start()
        home.route("/start") { _ in .json(["data": [["id": 1]], "next": "\(elsewhere.baseURL)/more"]) }
        elsewhere.route("/more") { _ in .json(["data": [["id": 2]], "next": NSNull()]) }
        let h = try LuaPipelineHarness()
        try h.write("pipeline.lua", """
        local api = source.http { base_url = "\(home.baseURL)", path = "/start",
                                  headers = { ["X-Functions-Key"] = "fk-1", ["X-Trace"] = "t-1", Accept = "application/json" },
                                  forward_headers = { "X-Trace" },
                                  paginator = { type = "next_url", next_url_path = "next" }, records_path = "data" }
        network { { api, sink.file { path = "out.jsonl" } } }
        """)
        try await h.run()
        #expect(try h.ids("out.jsonl") == [1, 2])
        #expect(home.requests(path: "/start").first?.header("X-Functions-Key") == "fk-1")
        let arrived = try #require(elsewhere.requests(path: "/more").first)
        #expect(arrived.header("X-Functions-Key") == nil)
        #expect(arrived.header("X-Trace") == "t-1")
        #expect(arrived.header("Accept") == "application/json")
        await home.stop()
        await elsewhere.stop()
    }

    @Test func aRecordsPathThatIsNotInTheResponseIsAnError() async throws {
        let server = try TestHTTPServer.start()
        let h = try LuaPipelineHarness()
        try h.write("pipeline.lua", """
        network { { source.http { base_url = "\(server.baseURL)", path = "/page", records_path = "result",
                                  paginator = { type = "page", page_size_param = "per_page", page_size = 10 } },
                    sink.file { path = "out.jsonl" } } }
        """)
        let message = try #require(await h.failure())
        #expect(message.contains("records_path 'result' is not in the response of page 1"), "\(message)")
        await server.stop()
    }
}
