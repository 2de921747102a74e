import Foundation
import LuaflowHTTP
import TestSupport
import Testing

@Suite struct RedirectIntegrationTests {
    typealias C = TestHTTPServer.Credentials

    func withOtherOrigin(_ body: (TestHTTPServer, TestHTTPServer, HTTPRuntime) async throws -> Void) async throws {
        try await withOtherOriginServer(body)
    }

    func redirect(to url: String, status: Int = 302) -> HTTPRequest {
        HTTPRequest(url: "/redirect", query: [("to", url), ("status", String(status))])
    }

    @Test func sameOriginRedirectKeepsCredentials() async throws {
        try await withServer { server, runtime in
            let session = try HTTPSession(config: sessionConfig(#"{"base_url": "\#(server.baseURL)", "auth": {"bearer": "\#(C.bearerToken)"}}"#), runtime: runtime)
            let response = try await session.execute(redirect(to: "/auth/bearer"))
            #expect(response.status == 200)
            #expect(response.url == server.baseURL + "/auth/bearer")
        }
    }

    /// Session header fields named unlike credentials, which a list of credential names misses.
    static let unlistedSecrets = ["X-Custom-Key", "Ocp-Apim-Subscription-Key", "X-Functions-Key", "X-Access-Key",
                                  "X-Secret-Key", "Authentication", "X-Auth", "X-Session-Id"]

    @Test func onlyHarmlessAndOptedInHeadersFollowARedirectToAnotherOrigin() async throws {
        try await withOtherOrigin { server, other, runtime in
            var headers = ["Cookie": "sid=1", "X-Trace": "t1", "Accept": "application/json"]
            for name in Self.unlistedSecrets { headers[name] = "s3cret-\(name)" }
            let headerJSON = String(decoding: try JSONSerialization.data(withJSONObject: headers), as: UTF8.self)
            let config = #"{"base_url": "\#(server.baseURL)", "auth": {"bearer": "\#(C.bearerToken)"}, "headers": \#(headerJSON), "forward_headers": ["x-trace"]}"#
            let session = try HTTPSession(config: sessionConfig(config), runtime: runtime)
            let response = try await session.execute(redirect(to: other.baseURL + "/echo"))
            #expect(response.status == 200)
            #expect(response.url == other.baseURL + "/echo")
            let home = try #require(server.requests(path: "/redirect").first)
            #expect(home.header("Authorization") == "Bearer \(C.bearerToken)")
            for name in Self.unlistedSecrets { #expect(home.header(name) == "s3cret-\(name)", "\(name)") }
            let arrived = try #require(other.requests(path: "/echo").first)
            #expect(arrived.header("Authorization") == nil)
            #expect(arrived.header("Cookie") == nil)
            for name in Self.unlistedSecrets { #expect(arrived.header(name) == nil, "\(name) reached the other origin") }
            #expect(!arrived.headers.contains { $0.1.contains("s3cret") })
            #expect(arrived.header("X-Trace") == "t1")
            #expect(arrived.header("Accept") == "application/json")
            #expect(arrived.header("User-Agent") == "luaflow")
        }
    }

    @Test func withoutForwardHeadersACustomHeaderStaysHome() async throws {
        try await withOtherOrigin { server, other, runtime in
            let config = #"{"base_url": "\#(server.baseURL)", "headers": {"X-Trace": "t1"}}"#
            let session = try HTTPSession(config: sessionConfig(config), runtime: runtime)
            _ = try await session.execute(redirect(to: other.baseURL + "/echo", status: 307))
            #expect(server.requests(path: "/redirect").first?.header("X-Trace") == "t1")
            #expect(try #require(other.requests(path: "/echo").first).header("X-Trace") == nil)
        }
    }

    @Test func apiKeysInHeadersAndQueriesAreNotSentToAnotherOrigin() async throws {
        try await withOtherOrigin { server, other, runtime in
            let header = try HTTPSession(config: sessionConfig(#"{"base_url": "\#(server.baseURL)", "auth": {"api_key": "\#(C.apiKey)", "header": "X-Key"}}"#), runtime: runtime)
            _ = try await header.execute(redirect(to: other.baseURL + "/echo?via=header", status: 307))
            let query = try HTTPSession(config: sessionConfig(#"{"base_url": "\#(server.baseURL)", "auth": {"api_key": "\#(C.apiKey)", "query": "api_key"}}"#), runtime: runtime)
            // The first server even echoes the key into Location: it must still not reach the other origin.
            _ = try await query.execute(redirect(to: other.baseURL + "/echo?via=query&api_key=\(C.apiKey)"))
            let arrived = other.requests(path: "/echo")
            #expect(arrived.count == 2)
            #expect(arrived.allSatisfy { $0.header("X-Key") == nil && $0.queryValue("api_key") == nil && !$0.uri.contains(C.apiKey) })
            #expect(arrived.map { $0.queryValue("via") } == ["header", "query"])
            #expect(server.requests(path: "/redirect").last?.queryValue("api_key") == C.apiKey)
        }
    }

    @Test func tooManyRedirects() async throws {
        try await withServer { server, runtime in
            let session = try HTTPSession(config: sessionConfig(#"{"base_url": "\#(server.baseURL)", "max_redirects": 3}"#), runtime: runtime)
            let error = await httpError { _ = try await session.execute(HTTPRequest(url: "/redirect-loop")) }
            #expect(error?.kind == .tooManyRedirects)
            #expect(error?.description.contains("more than 3 redirects") == true)
            #expect(server.requests(path: "/redirect-loop").count == 4)
        }
    }

    @Test func maxRedirectsZeroReturnsTheRedirect() async throws {
        try await withServer { server, runtime in
            let session = try HTTPSession(config: sessionConfig(#"{"base_url": "\#(server.baseURL)", "max_redirects": 0}"#), runtime: runtime)
            let response = try await session.execute(redirect(to: "/echo"))
            #expect(response.status == 302 && response.headers["location"] == "/echo")
        }
    }

    @Test func seeOtherAfterPOSTFetchesWithGETAndNoBody() async throws {
        try await withServer { server, runtime in
            let session = try HTTPSession(config: sessionConfig(#"{"base_url": "\#(server.baseURL)"}"#), runtime: runtime)
            var request = redirect(to: "/echo", status: 303)
            request.method = "POST"
            try request.setJSONBody(object: ["a": 1])
            let body = try object(try await session.execute(request))
            #expect(body["method"] as? String == "GET")
            #expect(body["body"] as? String == "")
            #expect((body["headers"] as? [String: String])?["content-type"] == nil)
        }
    }
}
