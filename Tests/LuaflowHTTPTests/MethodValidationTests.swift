import Foundation
import LuaflowHTTP
import TestSupport
import Testing

/// A method string is an RFC 9110 token: CR, LF, spaces and separators could otherwise inject
/// header fields or split the request in two.
@Suite struct MethodValidationTests {
    static let injections = ["GET\r\nX-Injected: 1", "GET /x HTTP/1.1\r\nHost: evil\r\n\r\nGET", "GET\n", "PO ST", "GET\0", "", "GÉT", "GET(1)"]

    @Test func tokensAreMethods() {
        for method in ["GET", "POST", "PROPFIND", "M-SEARCH", "X_CUSTOM.1", "A!#$%&'*+^`|~"] {
            #expect(HTTPRequest.isValid(method: method), "\(method)")
        }
        for method in Self.injections { #expect(!HTTPRequest.isValid(method: method), "\(method.debugDescription)") }
    }

    @Test(arguments: injections)
    func theSessionRefusesAnInjectedMethodBeforeSending(method: String) async throws {
        try await withServer { server, runtime in
            let session = try HTTPSession(config: sessionConfig(#"{"base_url": "\#(server.baseURL)"}"#), runtime: runtime)
            let error = await httpError { _ = try await session.execute(HTTPRequest(method: method, url: "/echo")) }
            #expect(error?.kind == .invalidConfig)
            #expect(error?.description.contains("is not an HTTP method") == true, "\(String(describing: error))")
            #expect(error?.description.contains("\r\n") == false)
            #expect(server.requests.isEmpty)
        }
    }

    @Test func aLuaScriptGetsTheErrorAtItsLine() async throws {
        let server = try TestHTTPServer.start()
        defer { server.stop() }
        let h = try LuaPipelineHarness()
        try h.write("inject.lua", """
        local done = false
        function run()
          if done then return nil end
          done = true
          local s = http.session { base_url = "\(server.baseURL)" }
          s:request("GET\\r\\nX-Injected: 1", "/echo")
        end
        """)
        try h.write("pages.lua", """
        function run()
          local s = http.session { base_url = "\(server.baseURL)" }
          s:paginate { method = "GET /x HTTP/1.1\\r\\n", path = "/echo" }
        end
        """)
        try h.write("pipeline.lua", #"network { { source("inject.lua"), sink.stdout {} } }"#)
        let message = try #require(await h.failure())
        #expect(message.contains(#"inject.lua:6: http: method "GET\r\nX-INJECTED: 1" is not an HTTP method"#), "\(message)")
        try h.write("pipeline.lua", #"network { { source("pages.lua"), sink.stdout {} } }"#)
        let paged = try #require(await h.failure())
        #expect(paged.contains("pages.lua:3: http: method"), "\(paged)")
        #expect(server.requests.isEmpty)
    }
}
