import Foundation
import LuaflowCore
import LuaflowTesting
import Testing
import TestSupport

/// `res:json()` and `session:paginate` pages on a body that is not JSON: the error names the
/// request (URL redacted), the status and the bad byte, at the line of the user's script.
@Suite struct ResponseJSONErrorTests {
    static let server: TestHTTPServer = {
        let server = try! TestHTTPServer.start(standardRoutes: false)
        server.route("/html") { _ in
            TestHTTPResponse(status: 200, headers: [("Content-Type", "text/html")], body: Array("<html><body>maintenance</body></html>".utf8))
        }
        server.route("/empty") { _ in TestHTTPResponse(status: 202) }
        server.route("/cut") { _ in TestHTTPResponse.text(#"{"data": [1, 2"#) }
        return server
    }()

    /// Runs a `get()` source whose body (lines 1-3 of src.lua) is `code`; returns the failure.
    private func failure(_ code: String) async throws -> String {
        let h = try LuaPipelineHarness()
        try h.write("src.lua", code)
        try h.write("pipeline.lua", """
        network { { source("src.lua", { name = "api" }), sink.file { path = "out.jsonl" } } }
        """)
        return try #require(await h.failure())
    }

    @Test func resJSONOnHTMLNamesTheRequestStatusByteAndScriptLine() async throws {
        let message = try await failure("""
        function get()
          local res = http.get("\(Self.server.baseURL)/html?api_key=hunter2secret&page=3")
          return res:json(), nil
        end
        """)
        #expect(message.contains("src.lua:3: response of GET \(Self.server.baseURL)/html?api_key=***&page=3 (status 200) is not JSON: "
                                  + "expected value at byte 1, found '<' (body: <html><body>maintenance</body></html>)"), "\(message)")
        #expect(!message.contains("hunter2secret"))
        #expect(!message.contains("luaflow/http.lua"), "\(message)")
    }

    @Test func anEmptyOrTruncatedBodySaysSo() async throws {
        let empty = try await failure("""
        function get()
          local res = http.post("\(Self.server.baseURL)/empty", { json = { a = 1 } })
          return res:json(), nil
        end
        """)
        #expect(empty.contains("src.lua:3: response of POST \(Self.server.baseURL)/empty (status 202) is not JSON: the body is empty"), "\(empty)")
        let cut = try await failure("""
        function get()
          local res = http.get("\(Self.server.baseURL)/cut")
          return res:json().data, nil
        end
        """)
        #expect(cut.contains("src.lua:3: response of GET \(Self.server.baseURL)/cut (status 200) is not JSON: "
                             + "expected ',' or ']' at byte 15, found the end of the body (truncated?)"), "\(cut)")
    }

    @Test func aPageThatIsNotJSONFailsAtTheLoop() async throws {
        let message = try await failure("""
        function get()
          for page in http.paginate { path = "\(Self.server.baseURL)/html" } do
            return page.records, nil
          end
        end
        """)
        #expect(message.contains("src.lua:2: page 1 of GET \(Self.server.baseURL)/html (status 200) is not JSON: "
                                 + "expected value at byte 1, found '<'"), "\(message)")
    }
}
