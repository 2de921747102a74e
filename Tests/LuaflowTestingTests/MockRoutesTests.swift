import Testing
@testable import LuaflowTesting

@Suite struct MockRoutesTests {
    private func request(_ method: String, _ uri: String, headers: [(String, String)] = [], body: String = "") -> MockRequest {
        MockRequest(TestHTTPRequest(method: method, uri: uri, headers: headers, body: Array(body.utf8), arrivedAt: 0, connection: 1))
    }

    @Test func sequencesServeInOrderAndRepeatTheLast() {
        let routes = MockRoutes()
        routes.add(method: "GET", path: "/users", responses: [MockResponse(status: 500)])
        routes.add(method: "get", path: "/users", responses: [MockResponse(status: 200, body: Array("ok".utf8))])
        let statuses = (0..<3).map { _ in routes.respond(to: request("GET", "/users?page=1")).status }
        #expect(statuses == [500, 200, 200])
        #expect(routes.respond(to: request("POST", "/users")).status == 404)
    }

    @Test func unmatchedRequestsGetA404NamingMethodAndPath() {
        let response = MockRoutes().respond(to: request("DELETE", "/things/7?x=1"))
        #expect(response.status == 404)
        #expect(String(decoding: response.body, as: UTF8.self).contains("no mock for DELETE /things/7"))
    }

    @Test func theLogKeepsDecodedQueriesAndLowerCasedHeaders() throws {
        let routes = MockRoutes()
        _ = routes.respond(to: request("GET", "/a?limit=10&q=ada%20l&tag=x&tag=y", headers: [("Authorization", "Bearer t"), ("X-Dup", "1"), ("x-dup", "2")]))
        _ = routes.respond(to: request("POST", "/b", body: #"{"n":1}"#))
        #expect(routes.requests().count == 2)
        let first = try #require(routes.requests(path: "/a").first)
        #expect(first.path == "/a")
        let object = first.jsonObject
        let query = try #require(object["query"] as? [String: Any])
        #expect(query["limit"] as? String == "10")
        #expect(query["q"] as? String == "ada l")
        #expect(query["tag"] as? [String] == ["x", "y"])
        let headers = try #require(object["headers"] as? [String: String])
        #expect(headers["authorization"] == "Bearer t")
        #expect(headers["x-dup"] == "1, 2")
        #expect(routes.requests(path: "/b").first?.jsonObject["body"] as? String == #"{"n":1}"#)
    }

    @Test func resetForgetsRoutesAndRequests() {
        let routes = MockRoutes()
        routes.add(method: "GET", path: "/x", responses: [MockResponse()])
        _ = routes.respond(to: request("GET", "/x"))
        routes.reset()
        #expect(routes.requests().isEmpty)
        #expect(routes.respond(to: request("GET", "/x")).status == 404)
    }
}
