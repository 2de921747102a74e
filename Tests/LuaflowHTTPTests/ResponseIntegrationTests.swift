import Foundation
import LuaflowCore
import LuaflowHTTP
import LuaflowTesting
import TestSupport
import Testing

@Suite struct ResponseIntegrationTests {
    func session(_ server: TestHTTPServer, _ runtime: HTTPRuntime, _ extra: String = "") throws -> HTTPSession {
        try HTTPSession(config: sessionConfig(#"{"base_url": "\#(server.baseURL)"\#(extra)}"#), runtime: runtime)
    }

    @Test(arguments: ["gzip", "deflate"])
    func compressedBodiesAreDecoded(_ encoding: String) async throws {
        try await withServer { server, runtime in
            let response = try await session(server, runtime).execute(HTTPRequest(url: "/gzip", query: [("encoding", encoding), ("total", "300")]))
            let records = try #require(try object(response)["data"] as? [[String: Any]])
            #expect(records.count == 300)
            #expect(response.headers["content-encoding"] == nil)
            #expect(server.requests(path: "/gzip").first?.header("Accept-Encoding")?.contains("gzip") == true)
        }
    }

    @Test func raiseFalseReturnsTheErrorResponse() async throws {
        try await withServer { server, runtime in
            let response = try await session(server, runtime).execute(HTTPRequest(url: "/status?code=404&body=missing"), raise: false)
            #expect(response.status == 404 && !response.isSuccess)
            #expect(response.text == "missing")
            #expect(response.headers["CONTENT-TYPE"] == "text/plain; charset=utf-8")
        }
    }

    @Test func raiseFalseStillRetriesFirst() async throws {
        try await withServer { server, runtime in
            let response = try await session(server, runtime, #", "retry": {"max_attempts": 2}"#).execute(HTTPRequest(url: "/flaky?tag=r&fail=5"), raise: false)
            #expect(response.status == 503 && response.attempts == 2)
        }
    }

    @Test func errorMessagesNeverContainSecrets() async throws {
        try await withServer { server, runtime in
            let key = "api-key-in-url-secret-77"
            let token = "header-token-secret-88"
            Redactor.shared.add("body-echoed-secret-99")
            let session = try session(server, runtime, #", "auth": {"api_key": "\#(key)", "query": "api_key"}, "headers": {"Authorization": "Bearer \#(token)"}"#)
            let error = await httpError {
                _ = try await session.execute(HTTPRequest(url: "/status", query: [("code", "500"), ("body", "oops \(key) \(token) body-echoed-secret-99"),
                                                                                  ("access_token", "qs-token"), ("page", "3")]))
            }
            let message = try #require(error?.description)
            #expect(message.contains("failed with status 500 after 5 attempts"))
            #expect(message.contains("access_token=***") && message.contains("api_key=***") && message.contains("page=3"))
            for secret in [key, token, "body-echoed-secret-99", "qs-token"] { #expect(!message.contains(secret), "\(secret) leaked") }
        }
    }

    @Test func headersAreMergedAndTheRequestWins() async throws {
        try await withServer { server, runtime in
            let session = try session(server, runtime, #", "headers": {"Accept": "application/json", "X-Team": "data"}, "user_agent": "acme-sync/2""#)
            let body = try object(try await session.execute(HTTPRequest(url: "/echo", headers: [("accept", "text/csv")])))
            let headers = try #require(body["headers"] as? [String: String])
            #expect(headers["accept"] == "text/csv")
            #expect(headers["x-team"] == "data")
            #expect(headers["user-agent"] == "acme-sync/2")
        }
    }

    @Test func formAndJSONBodies() async throws {
        try await withServer { server, runtime in
            var form = HTTPRequest(method: "PUT", url: "/echo")
            form.setFormBody([("name", "Zoë & co"), ("n", "1")])
            let echoed = try object(try await session(server, runtime).execute(form))
            #expect(echoed["body"] as? String == "name=Zo%C3%AB%20%26%20co&n=1")
            #expect(echoed["method"] as? String == "PUT")
        }
    }

    @Test func jsonBodiesOfEveryShape() throws {
        var request = HTTPRequest(method: "POST", url: "/x")
        try request.setJSONBody(object: ["a": [1, 2], "b": NSNull()])
        #expect(request.header("content-type") == "application/json")
        #expect(try JSONSerialization.jsonObject(with: Data(request.body!)) as? [String: Any] != nil)
        try request.setJSONBody(object: 42)
        #expect(request.body == Array("42".utf8))
        try request.setJSONBody(object: "text")
        #expect(request.body == Array(#""text""#.utf8))
        #expect(throws: HTTPError.self) { try request.setJSONBody(object: Date()) }
    }

    @Test func aServerCannotSendUnboundedHeaders() async throws {
        try await withServer { server, runtime in
            // 200 kB of Link header, over SwiftNIO's 80 kB limit on a response's header fields.
            let links = String(repeating: #"<http://127.0.0.1/x>; rel="other", "#, count: 6_000)
            server.route("/huge-header") { _ in TestHTTPResponse(headers: [("Link", links)], body: Array("{}".utf8)) }
            let error = await httpError {
                _ = try await session(server, runtime, #", "retry": {"max_attempts": 1}"#).execute(HTTPRequest(url: "/huge-header"))
            }
            #expect(error != nil)
            #expect(error?.kind != .status, "\(String(describing: error))")
        }
    }

    @Test func bodiesOverTheLimitFail() async throws {
        try await withServer { server, runtime in
            let error = await httpError {
                _ = try await session(server, runtime, #", "max_body_bytes": 1000"#).execute(HTTPRequest(url: "/gzip?total=500"))
            }
            #expect(error?.kind == .invalidResponse)
            #expect(error?.attempts == 1)
        }
    }

    @Test func executeBlockingFromAStageThread() async throws {
        try await withServer { server, runtime in
            let session = try session(server, runtime)
            let statuses = try await onThread { try (0..<3).map { _ in try session.executeBlocking(HTTPRequest(url: "/echo")).status } }
            #expect(statuses == [200, 200, 200])
            let error = try await onThread { () -> HTTPError? in
                do { _ = try session.executeBlocking(HTTPRequest(url: "/status?code=418")); return nil } catch { return error as? HTTPError }
            }
            #expect(error?.status == 418)
        }
    }

    @Test func connectionsAreReused() async throws {
        try await withServer { server, runtime in
            let session = try session(server, runtime)
            for _ in 0..<10 { _ = try await session.execute(HTTPRequest(url: "/echo")) }
            // Kept alive: ten requests in a row share a connection or two. (AsyncHTTPClient opens
            // another when a request leaves before the last connection went back to the pool,
            // which a loaded machine makes likely; without reuse there would be ten.)
            #expect(Set(server.requests(path: "/echo").map(\.connection)).count <= 3)
        }
    }

    @Test func aRelativeURLWithoutBaseIsAConfigError() async throws {
        let runtime = HTTPRuntime(clock: ManualHTTPClock())
        let session = try HTTPSession(config: HTTPSessionConfig(), runtime: runtime)
        let error = await httpError { _ = try await session.execute(HTTPRequest(url: "/users")) }
        #expect(error?.kind == .invalidConfig)
        try await runtime.shutdown()
    }
}
