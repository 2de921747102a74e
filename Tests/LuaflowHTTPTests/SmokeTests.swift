import Foundation
import LuaflowHTTP
import TestSupport
import Testing

@Suite struct SmokeTests {
    @Test func getsJSONFromTheTestServer() async throws {
        try await withServer { server, runtime in
            let session = try HTTPSession(config: sessionConfig(#"{"base_url": "\#(server.baseURL)"}"#), runtime: runtime)
            let response = try await session.execute(HTTPRequest(url: "/echo", query: [("a", "b c")]))
            #expect(response.status == 200)
            let body = try object(response)
            #expect((body["query"] as? [String: String])?["a"] == "b c")
            #expect(response.attempts == 1)
            #expect(session.metrics.snapshot.requests == 1)
        }
    }
}
