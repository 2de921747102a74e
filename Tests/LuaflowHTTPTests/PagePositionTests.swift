import Foundation
import Testing
import TestSupport

/// `pages:position()` and `session:paginate { from = position }`: a walk saved as JSON mid-way
/// continues at the next page, with every paginator style, numbering its pages on.
@Suite struct PagePositionTests {
    static let server = try! TestHTTPServer.start()

    /// Walks two pages, keeps the position through JSON, continues from it in a new iterator,
    /// then makes a third iterator from the finished position.
    private func resumed(_ paginator: String, path: String, recordsPath: String) async throws -> [[String: Any]] {
        let h = try LuaPipelineHarness()
        try h.write("walk.lua", """
        function get()
          local session = http.session { base_url = "\(Self.server.baseURL)" }
          local opts = { path = "\(path)", query = { total = 37 }, paginator = \(paginator), records_path = "\(recordsPath)" }
          local first = session:paginate(opts)
          local start = first:position()
          first(); first()
          opts.from = json.decode(json.encode(first:position()))
          local rest, out = session:paginate(opts), {}
          for page in rest do
            for _, r in ipairs(page.records) do out[#out + 1] = { id = r.id, page = page.number } end
          end
          opts.from = rest:position()
          local after = session:paginate(opts)
          out[#out + 1] = { start = json.encode(start), done = json.encode(rest:position()),
                            nothing = after() == nil and after:position().done }
          return out, nil
        end
        """)
        try h.write("pipeline.lua", #"network { { source("walk.lua"), sink.file { path = "out.jsonl" } } }"#)
        try await h.run()
        return try h.records("out.jsonl")
    }

    @Test(arguments: [
        (#"{ type = "cursor", cursor_param = "cursor", cursor_path = "meta.next_cursor", limit_param = "limit", limit = 10 }"#, "/cursor", "data"),
        (#"{ type = "offset", offset_param = "offset", limit_param = "limit", limit = 10, total_path = "total" }"#, "/offset", "data"),
        (#"{ type = "page", page_param = "page", page_size_param = "per_page", page_size = 10, total_pages_path = "total_pages" }"#, "/page", "items"),
        (#"{ type = "next_url", next_url_path = "links.next" }"#, "/next_url", "results"),
        (#"{ type = "link_header" }"#, "/link", ""),
    ])
    func aSavedPositionContinuesAtTheNextPage(paginator: String, path: String, recordsPath: String) async throws {
        var records = try await resumed(paginator, path: path, recordsPath: recordsPath)
        let summary = records.removeLast()
        #expect(records.map { $0["id"] as? Int } == Array(21...37), "the pages after the second, once")
        #expect(records.map { $0["page"] as? Int } == (21...37).map { ($0 - 1) / 10 + 1 }, "numbered on from 3")
        #expect(summary["start"] as? String == #"{"pages":0}"#)
        #expect(summary["done"] as? String == #"{"done":true,"pages":4}"#)
        #expect(summary["nothing"] as? Bool == true, "a finished position fetches nothing")
    }

    @Test func aBadPositionIsRefusedAtTheScriptsLine() async throws {
        let h = try LuaPipelineHarness()
        try h.write("walk.lua", """
        function get()
          local pages = http.session { base_url = "\(Self.server.baseURL)" }:paginate { path = "/cursor", from = { next = 3 } }
          return nil
        end
        """)
        try h.write("pipeline.lua", #"network { { source("walk.lua"), sink.file { path = "out.jsonl" } } }"#)
        let message = try #require(await h.failure())
        #expect(message.contains("walk.lua:2: session:paginate: `from` must be a position from pages:position()"), "\(message)")
    }
}
