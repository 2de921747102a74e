import Foundation
import LuaflowHTTP
import TestSupport
import LuaflowTesting
import Testing

/// Credentials stay with the origin they were meant for: a pagination sends them only to the origin
/// of its first request, wherever its next links point, with or without `base_url`.
@Suite struct CredentialOriginTests {
    typealias C = TestHTTPServer.Credentials

    /// Auth settings, the header or query parameter that carries the credential, and its value.
    static let auths: [(auth: String, header: String?, query: String?, value: String)] = [
        (#"{"bearer": "\#(C.bearerToken)"}"#, "Authorization", nil, "Bearer \(C.bearerToken)"),
        (#"{"basic": {"username": "\#(C.username)", "password": "\#(C.password)"}}"#, "Authorization",
         nil, "Basic " + Data("\(C.username):\(C.password)".utf8).base64EncodedString()),
        (#"{"api_key": "\#(C.apiKey)", "header": "Private-Token"}"#, "Private-Token", nil, C.apiKey),
        (#"{"api_key": "\#(C.apiKey)", "header": "X-Api-Key"}"#, "X-Api-Key", nil, C.apiKey),
        (#"{"api_key": "\#(C.apiKey)", "query": "api_key"}"#, nil, "api_key", C.apiKey),
    ]

    /// Whether `request` carried the credential.
    static func carries(_ request: TestHTTPRequest, header: String?, query: String?, value: String) -> Bool {
        if let header { return request.header(header) == value }
        return request.queryValue(query!) == value
    }

    /// Walks every page; returns the ids of the records.
    func walk(_ iterator: PageIterator) async throws -> [Int] {
        var ids: [Int] = []
        while let page = try await iterator.nextPage() {
            let body = try #require(try page.response.json() as? [String: Any])
            ids += (body["results"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
        }
        return ids
    }

    @Test(arguments: [#"{"type": "next_url", "next_url_path": "links.next", "records_path": "results"}"#,
                      #"{"type": "link_header", "records_path": "results"}"#], 0..<5)
    func aNextLinkToAnotherOriginGetsNoCredentialsWithoutBaseURL(paginator: String, auth index: Int) async throws {
        let (auth, header, query, value) = Self.auths[index]
        try await withOtherOriginServer { server, other, runtime in
            let session = try HTTPSession(config: sessionConfig(#"{"auth": \#(auth), "headers": {"X-Trace": "t1"}, "forward_headers": ["X-Trace"]}"#), runtime: runtime)
            // A → B → A: the other origin's page points back at the first one.
            let back = server.baseURL + "/handoff?id=3"
            let toOther = other.baseURL + "/handoff?id=2&to=" + URLBuilder.encode(back)
            let request = HTTPRequest(url: server.baseURL + "/handoff", query: [("id", "1"), ("to", toOther)])
            let ids = try await walk(PageIterator(session: session, request: request, paginator: paginatorConfig(paginator)))
            #expect(ids == [1, 2, 3])
            let home = server.requests(path: "/handoff"), away = other.requests(path: "/handoff")
            #expect(home.count == 2 && away.count == 1)
            #expect(home.allSatisfy { Self.carries($0, header: header, query: query, value: value) })
            let arrived = try #require(away.first)
            #expect(!Self.carries(arrived, header: header, query: query, value: value))
            #expect(!arrived.uri.contains(C.apiKey) && !arrived.headers.contains { $0.1.contains(value) })
            #expect(arrived.header("X-Trace") == "t1")
        }
    }

    @Test func sessionHeadersStayHomeUnlessHarmlessOrOptedIn() async throws {
        try await withOtherOriginServer { server, other, runtime in
            var fields = ["Private-Token": "pt-1234", "X-Api-Key": "xk-1234", "X-Auth-Token": "xa-1234", "Cookie": "sid=1",
                          "Accept": "application/json", "X-Tenant": "acme"]
            for name in RedirectIntegrationTests.unlistedSecrets { fields[name] = "s3cret-\(name)" }
            let headers = String(decoding: try JSONSerialization.data(withJSONObject: fields), as: UTF8.self)
            let session = try HTTPSession(config: sessionConfig(#"{"headers": \#(headers), "forward_headers": ["X-Tenant"]}"#), runtime: runtime)
            let request = HTTPRequest(url: server.baseURL + "/handoff", query: [("to", other.baseURL + "/handoff?id=2")])
            let ids = try await walk(PageIterator(session: session, request: request,
                                                  paginator: paginatorConfig(#"{"type": "link_header", "records_path": "results"}"#)))
            #expect(ids == [1, 2])
            let first = try #require(server.requests(path: "/handoff").first)
            #expect(first.header("Private-Token") == "pt-1234" && first.header("X-Api-Key") == "xk-1234")
            #expect(first.header("X-Session-Id") == "s3cret-X-Session-Id")
            let arrived = try #require(other.requests(path: "/handoff").first)
            for name in ["Private-Token", "X-Api-Key", "X-Auth-Token", "Cookie"] + RedirectIntegrationTests.unlistedSecrets {
                #expect(arrived.header(name) == nil, "\(name) reached the next page's origin")
            }
            #expect(arrived.header("Accept") == "application/json")
            #expect(arrived.header("X-Tenant") == "acme")
        }
    }

    @Test func withBaseURLAFirstRequestElsewhereSendsNoCredentialsToAnyPage() async throws {
        try await withOtherOriginServer { server, other, runtime in
            let session = try HTTPSession(config: sessionConfig(#"{"base_url": "\#(server.baseURL)", "auth": {"bearer": "\#(C.bearerToken)"}}"#), runtime: runtime)
            // The pages start on the other origin and come back to base_url's.
            let request = HTTPRequest(url: other.baseURL + "/handoff", query: [("to", server.baseURL + "/handoff?id=2")])
            let ids = try await walk(PageIterator(session: session, request: request,
                                                  paginator: paginatorConfig(#"{"type": "link_header", "records_path": "results"}"#)))
            #expect(ids == [1, 2])
            #expect((other.requests + server.requests).allSatisfy { $0.header("Authorization") == nil })
        }
    }

    @Test func aResumedPaginationKeepsCredentialsToTheFirstRequestsOrigin() async throws {
        try await withOtherOriginServer { server, other, runtime in
            let session = try HTTPSession(config: sessionConfig(#"{"auth": {"bearer": "\#(C.bearerToken)"}}"#), runtime: runtime)
            // A token recorded when page 2 was on the other origin: resuming starts there.
            let resume = PageTarget.url(other.baseURL + "/handoff?id=2&to=" + URLBuilder.encode(server.baseURL + "/handoff?id=3"))
            let iterator = PageIterator(session: session, request: HTTPRequest(url: server.baseURL + "/handoff"),
                                        paginator: try paginatorConfig(#"{"type": "link_header", "records_path": "results"}"#),
                                        resume: resume)
            #expect(try await walk(iterator) == [2, 3])
            #expect(other.requests(path: "/handoff").first?.header("Authorization") == nil)
            #expect(server.requests(path: "/handoff").first?.header("Authorization") == "Bearer \(C.bearerToken)")
        }
    }

    @Test func pageTokensHoldNoAPIKeyAndResumingAddsItAgain() async throws {
        try await withServer { server, runtime in
            let session = try HTTPSession(config: sessionConfig(#"{"base_url": "\#(server.baseURL)", "auth": {"api_key": "\#(C.apiKey)", "query": "api_key"}}"#), runtime: runtime)
            let paginator = try paginatorConfig(#"{"type": "link_header", "records_path": ""}"#)
            let request = HTTPRequest(url: "/echo-link", query: [("total", "6"), ("per_page", "2")])
            let iterator = PageIterator(session: session, request: request, paginator: paginator)
            _ = try await iterator.nextPage()
            let token = try #require(iterator.nextToken)
            #expect(token.contains("page=2"), "\(token)")
            #expect(!token.contains(C.apiKey) && !token.contains("api_key"), "\(token)")
            // The echoing server put the key into its next link: the request itself still needs it.
            #expect(server.requests(path: "/echo-link").first?.queryValue("api_key") == C.apiKey)

            let resumed = PageIterator(session: session, request: request, paginator: paginator, resume: PageTarget(token: token))
            let page = try #require(try await resumed.nextPage())
            #expect(page.response.status == 200)
            let sent = try #require(server.requests(path: "/echo-link").last)
            #expect(sent.queryValue("page") == "2" && sent.queryValue("api_key") == C.apiKey)
        }
    }
}
