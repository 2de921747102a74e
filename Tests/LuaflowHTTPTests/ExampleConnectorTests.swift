import Foundation
import LuaflowCore
import LuaflowHTTP
import LuaflowTesting
import Testing
import TestSupport

/// The connectors of `examples/api-reference` and `examples/multi-endpoint`, run end to end: each
/// example directory is copied to a temp dir and its own `pipeline.lua` runs (with `--set` style
/// overrides) against ``FakeAcmeAPI``, the test server's version of `mock_api.py`.
///
/// Serialized: some tests set the `ACME_*` environment variables the connectors read.
@Suite(.serialized) struct ExampleConnectorTests {
    // MARK: api-reference: pages

    /// (stream, total records, page size, pages the API must serve). Totals that are an exact
    /// multiple of the page size check that the connector stops without asking for an empty page.
    @Test(arguments: [
        ("customers", 57, 10, 6), ("customers", 40, 10, 4), ("customers", 3, 250, 1),
        ("orders", 23, 5, 5), ("orders", 20, 5, 4), ("orders", 0, 5, 1),
        ("products", 31, 10, 4), ("products", 30, 10, 3),
    ])
    func referenceStreamFetchesEveryRecordExactlyOnce(stream: String, total: Int, pageSize: Int, pages: Int) async throws {
        try await withFakeAcme(totals: [stream: total]) { api in
            let example = try ExampleDirectory(copying: "api-reference")
            let summary = try await example.run(api.referenceOverrides(
                nodes: ["customers", "orders", "products"], ["page_size": "\(pageSize)"]))
            #expect(try example.ids("out/\(stream).jsonl") == FakeAcmeAPI.ids(stream, total))
            // count() asks customers and orders for a one-record page (products has no total).
            let counted = stream == "products" ? 0 : 1
            let fetches = api.server.requests(path: "/v2/\(stream)")
            #expect(fetches.count == pages + counted, "\(fetches.map(\.uri))")
            #expect(summary.row(stream)?.recordsOut == total)
            #expect(summary.row(stream)?.requests == pages + 1 + counted)  // + the check() in init
        }
    }

    @Test func referencePipelineWritesThreeStreamsToThreeFiles() async throws {
        try await withFakeAcme(totals: ["customers": 12, "orders": 7, "products": 9]) { api in
            let example = try ExampleDirectory(copying: "api-reference")
            try await example.run(api.referenceOverrides(nodes: ["customers", "orders", "products"]))
            #expect(try example.ids("out/customers.jsonl") == FakeAcmeAPI.ids("customers", 12))
            #expect(try example.ids("out/orders.jsonl") == FakeAcmeAPI.ids("orders", 7))
            #expect(try example.ids("out/products.jsonl") == FakeAcmeAPI.ids("products", 9))
            let first = try #require(try example.records("out/customers.jsonl").first)
            #expect(first["email"] as? String == "customer1@example.com")
        }
    }

    // MARK: api-reference: auth

    @Test(arguments: ["api_key", "bearer", "basic"])
    func everyAuthModeSendsItsCredentialOnEveryRequest(mode: String) async throws {
        try await withFakeAcme(totals: ["customers": 25]) { api in
            let example = try ExampleDirectory(copying: "api-reference")
            var settings = ["auth_type": mode, "page_size": "10"]
            switch mode {
            case "api_key": settings["api_key"] = FakeAcmeAPI.apiKey
            case "bearer": settings["token"] = FakeAcmeAPI.token
            default: settings["username"] = FakeAcmeAPI.username; settings["password"] = FakeAcmeAPI.password
            }
            try await example.run(api.referenceOverrides(nodes: ["customers"], settings, credentials: false), only: "customers")
            #expect(try example.ids("out/customers.jsonl") == FakeAcmeAPI.ids("customers", 25))
            let requests = api.server.requests
            #expect(requests.count == 5)  // /me, count(), then 3 pages
            for request in requests {
                switch mode {
                case "api_key":
                    #expect(request.header("X-API-Key") == FakeAcmeAPI.apiKey)
                    #expect(request.header("Authorization") == nil)
                case "bearer":
                    #expect(request.header("Authorization") == "Bearer \(FakeAcmeAPI.token)")
                    #expect(request.header("X-API-Key") == nil)
                default:
                    #expect(request.header("Authorization") == FakeAcmeAPI.basicHeader)
                    #expect(request.header("X-API-Key") == nil)
                }
                #expect(request.header("X-API-Version") == "2024-01-15")
            }
        }
    }

    @Test func theAPIKeyHeaderNameIsConfigurable() async throws {
        try await withFakeAcme(totals: ["customers": 3]) { api in
            let example = try ExampleDirectory(copying: "api-reference")
            try await example.run(api.referenceOverrides(nodes: ["customers"], ["api_key_header": "X-Acme-Key"]),
                                  only: "customers")
            #expect(api.server.requests.allSatisfy { $0.header("X-Acme-Key") == FakeAcmeAPI.apiKey && $0.header("X-API-Key") == nil })
            #expect(try example.ids("out/customers.jsonl") == FakeAcmeAPI.ids("customers", 3))
        }
    }

    @Test(arguments: ["api_key", "bearer", "basic"])
    func secretsComeFromEnvironmentVariables(mode: String) async throws {
        try await withFakeAcme(totals: ["orders": 8]) { api in
            let example = try ExampleDirectory(copying: "api-reference")
            let variables = ["ACME_API_KEY": FakeAcmeAPI.apiKey, "ACME_TOKEN": FakeAcmeAPI.token,
                             "ACME_USERNAME": FakeAcmeAPI.username, "ACME_PASSWORD": FakeAcmeAPI.password]
            try await withEnvironment(variables) {
                try await example.run(api.referenceOverrides(nodes: ["orders"], ["auth_type": mode, "page_size": "5"],
                                                             credentials: false), only: "orders")
            }
            #expect(try example.ids("out/orders.jsonl") == FakeAcmeAPI.ids("orders", 8))
            let expected = ["api_key": ("X-API-Key", FakeAcmeAPI.apiKey), "bearer": ("Authorization", "Bearer \(FakeAcmeAPI.token)"),
                            "basic": ("Authorization", FakeAcmeAPI.basicHeader)][mode]!
            #expect(api.server.requests.count == 4)  // /me, count(), 2 pages
            #expect(api.server.requests.allSatisfy { $0.header(expected.0) == expected.1 })
        }
    }

    @Test func aMissingCredentialNamesTheFieldAndItsVariableBeforeAnyRequest() async throws {
        try await withFakeAcme(totals: [:]) { api in
            let example = try ExampleDirectory(copying: "api-reference")
            let message = try #require(await example.failure(
                api.referenceOverrides(nodes: ["customers"], ["auth_type": "basic", "username": "someone"], credentials: false),
                only: "customers"))
            #expect(message.contains("node 'customers' (init)"), "\(message)")
            #expect(message.contains("needs password"), "\(message)")
            #expect(message.contains("ACME_PASSWORD"), "\(message)")
            #expect(api.server.requests.isEmpty)
        }
    }

    // MARK: api-reference: config validation

    @Test(arguments: [("0", "must be at least 1, got 0"), ("251", "must be at most 250, got 251"),
                      ("2.5", "expected an integer, got float 2.5")])
    func aBadPageSizeIsAConfigErrorNamingTheField(value: String, problem: String) async throws {
        try await withFakeAcme(totals: [:]) { api in
            let example = try ExampleDirectory(copying: "api-reference")
            let error = try #require(await example.error(api.referenceOverrides(nodes: ["customers"], ["page_size": value])))
            let message = "\(error)"
            // The value came from --set: the problem is reported at the flag.
            #expect(message.contains("node 'customers' (config): --set customers.page_size=\(value): \(problem)"), "\(message)")
            #expect(exitCode(of: error) == 2)  // a config error: luaflow run exits 2 before anything runs
            #expect(api.server.requests.isEmpty)
        }
    }

    @Test func anUnknownStreamIsAConfigErrorListingTheStreams() async throws {
        let example = try ExampleDirectory(copying: "api-reference")
        let message = try #require(await example.failure(["orders.stream=refunds", "orders.base_url=http://127.0.0.1:9/v2"]))
        #expect(message.contains("--set orders.stream=refunds: expected one of customers, orders, products; got the string 'refunds'"), "\(message)")
    }

    // MARK: api-reference: check() and count()

    @Test func checkPassesWithGoodCredentialsAndExplainsBadOnes() async throws {
        try await withFakeAcme(totals: [:]) { api in
            let good = try await api.probe(["api_key": FakeAcmeAPI.apiKey])
            #expect(good["ok"] as? Bool == true)
            #expect(good["problem"] == nil)

            let bad = try await api.probe(["api_key": "wrong-key-0000"])
            #expect(bad["ok"] as? Bool == false)
            let problem = try #require(bad["problem"] as? String)
            #expect(problem.contains("GET /me answered 401"), "\(problem)")
            #expect(problem.contains("unauthorized"), "\(problem)")

            let unreachable = try await api.probe(["api_key": FakeAcmeAPI.apiKey, "max_attempts": 1],
                                                  baseURL: "http://127.0.0.1:1/v2")
            #expect(unreachable["ok"] as? Bool == false)
            #expect((unreachable["problem"] as? String)?.contains("127.0.0.1:1/v2/me") == true, "\(unreachable)")
        }
    }

    @Test func badCredentialsStopTheRunInInitWithTheCheckMessageAndNoSecret() async throws {
        try await withFakeAcme(totals: ["customers": 30]) { api in
            let example = try ExampleDirectory(copying: "api-reference")
            let wrongKey = "wrong-key-\(UUID().uuidString.prefix(8))"
            let message = try #require(await example.failure(
                api.referenceOverrides(nodes: ["customers"], ["api_key": wrongKey], credentials: false), only: "customers"))
            #expect(message.contains("node 'customers' (init): connection check failed: GET /me answered 401"), "\(message)")
            #expect(!message.contains(wrongKey))
            #expect(api.server.requests(path: "/v2/customers").isEmpty)
        }
    }

    @Test(arguments: [("customers", 57 as Int?), ("orders", 23), ("products", nil)])
    func countReturnsTheTotalWhenTheAPIGivesOne(stream: String, total: Int?) async throws {
        try await withFakeAcme(totals: ["customers": 57, "orders": 23, "products": 31]) { api in
            let result = try await api.probe(["api_key": FakeAcmeAPI.apiKey, "stream": stream])
            #expect(result["count"] as? Int == total, "\(result)")
        }
    }

    // MARK: api-reference: resilience

    @Test func aFailedPageIsRetriedAndNoRecordIsLostOrRepeated() async throws {
        // The second /v2/customers request (the first page, after count()) fails once with 503 (Retry-After: 0).
        try await withFakeAcme(totals: ["customers": 35], failAt: ["/v2/customers": [2]]) { api in
            let example = try ExampleDirectory(copying: "api-reference")
            let summary = try await example.run(api.referenceOverrides(nodes: ["customers"], ["page_size": "10"]),
                                                only: "customers")
            #expect(try example.ids("out/customers.jsonl") == FakeAcmeAPI.ids("customers", 35))
            #expect(api.server.requests(path: "/v2/customers").count == 6)  // count(), 4 pages, one sent twice
            #expect(summary.row("customers")?.retries == 1)
        }
    }

    @Test func theRateLimitSpacesRequests() async throws {
        try await withFakeAcme(totals: ["customers": 30]) { api in
            let example = try ExampleDirectory(copying: "api-reference")
            // 4 requests per second, burst 4: /me, count() and 6 pages are 8 requests, the last 4 paced 0.25 s apart.
            try await example.run(api.referenceOverrides(nodes: ["customers"], ["page_size": "5", "requests_per_second": "4"]),
                                  only: "customers")
            let times = api.server.requests.map(\.arrivedAt)
            #expect(times.count == 8)
            let span = (times.last ?? 0) - (times.first ?? 0)
            #expect(span >= 0.85, "8 requests at 4/s took only \(span) s")
            #expect(try example.ids("out/customers.jsonl") == FakeAcmeAPI.ids("customers", 30))
        }
    }

    @Test func aNextLinkToAnotherOriginIsRefused() async throws {
        try await withFakeAcme(totals: ["products": 20], productsNextBase: "http://127.0.0.1:1") { api in
            let example = try ExampleDirectory(copying: "api-reference")
            let message = try #require(await example.failure(api.referenceOverrides(nodes: ["products"], ["page_size": "10"]),
                                                             only: "products"))
            #expect(message.contains("links.next leaves the API's origin"), "\(message)")
            #expect(api.server.requests(path: "/v2/products").count == 1)
        }
    }

    @Test func aResponseWithoutTheRecordListStopsTheRunInsteadOfEndingTheStream() async throws {
        try await withFakeAcme(totals: ["orders": 10]) { api in
            // The API renamed "data" to "orders": the connector must say so, not report 0 records.
            api.server.route("/v2/orders") { _ in .json(["orders": [["id": 1]], "page": 1, "total_pages": 1]) }
            let example = try ExampleDirectory(copying: "api-reference")
            let message = try #require(await example.failure(api.referenceOverrides(nodes: ["orders"]), only: "orders"))
            #expect(message.contains("node 'orders' (get)"), "\(message)")
            #expect(message.contains(#"orders: expected a list at "data" in the response, got nil"#), "\(message)")
        }
    }

    // MARK: multi-endpoint

    /// Both nodes of the shipped pipeline switched to `stream`: each writes every record once.
    @Test(arguments: [("customers", 23), ("orders", 17), ("products", 21), ("invoices", 19), ("payments", 13)])
    func everyStreamOfTheDispatchTableFetchesEveryRecordOnce(stream: String, total: Int) async throws {
        try await withFakeAcme(totals: [stream: total]) { api in
            let example = try ExampleDirectory(copying: "multi-endpoint")
            let summary = try await example.run(api.multiOverrides(["stream": stream, "page_size": "4"]))
            let expected = FakeAcmeAPI.ids(stream, total)
            #expect(try example.ids("out/customers.jsonl") == expected)
            #expect(try example.ids("out/invoices.jsonl") == expected)
            let pages = (total + 3) / 4
            #expect(api.server.requests(path: "/v2/\(stream)").count == 2 * pages)
            #expect(summary.row("customers")?.recordsOut == total)
        }
    }

    @Test func theMultiEndpointPipelineRunsTwoStreamsIntoTwoSinks() async throws {
        try await withFakeAcme(totals: ["customers": 57, "invoices": 42]) { api in
            let example = try ExampleDirectory(copying: "multi-endpoint")
            let summary = try await example.run(api.multiOverrides(["page_size": "20"]))
            #expect(try example.ids("out/customers.jsonl") == FakeAcmeAPI.ids("customers", 57))
            #expect(try example.ids("out/invoices.jsonl") == FakeAcmeAPI.ids("invoices", 42))
            #expect(api.server.requests(path: "/v2/customers").count == 3)
            #expect(api.server.requests(path: "/v2/invoices").count == 3)
            #expect(api.server.requests.allSatisfy { $0.header("Authorization") == "Bearer \(FakeAcmeAPI.token)" })
            #expect(summary.row("customers")?.requests == 3)
            #expect(summary.row("invoices")?.requests == 3)
        }
    }

    @Test func theMultiEndpointTokenComesFromACME_TOKEN() async throws {
        try await withFakeAcme(totals: ["customers": 5, "invoices": 5]) { api in
            let example = try ExampleDirectory(copying: "multi-endpoint")
            try await withEnvironment(["ACME_TOKEN": FakeAcmeAPI.token]) {
                try await example.run(api.multiOverrides([:], token: false))
            }
            #expect(try example.ids("out/invoices.jsonl") == FakeAcmeAPI.ids("invoices", 5))
            #expect(api.server.requests.count == 2)
            #expect(api.server.requests.allSatisfy { $0.header("Authorization") == "Bearer \(FakeAcmeAPI.token)" })
        }
    }

    @Test func multiEndpointConfigErrorsAreReportedTogetherBeforeAnyRequest() async throws {
        try await withFakeAcme(totals: [:]) { api in
            let example = try ExampleDirectory(copying: "multi-endpoint")
            try await withEnvironment(["ACME_TOKEN": nil]) {
                let message = try #require(await example.failure(
                    api.multiOverrides(["page_size": "0"], token: false) + ["invoices.stream=refunds"]))
                #expect(message.contains("node 'customers' (config): --set customers.page_size=0: must be at least 1, got 0"), "\(message)")
                #expect(message.contains("node 'customers' (config): config.token: is required (set it in the config or the environment variable ACME_TOKEN)"), "\(message)")
                #expect(message.contains("node 'invoices' (config): --set invoices.stream=refunds: expected one of customers, invoices, orders, payments, products; got the string 'refunds'"), "\(message)")
            }
            #expect(api.server.requests.isEmpty)
        }
    }

    @Test func maxPagesStopsAStreamEarly() async throws {
        try await withFakeAcme(totals: ["customers": 50, "invoices": 50]) { api in
            let example = try ExampleDirectory(copying: "multi-endpoint")
            try await example.run(api.multiOverrides(["page_size": "10", "max_pages": "2"]))
            #expect(try example.ids("out/customers.jsonl") == FakeAcmeAPI.ids("customers", 20))
            #expect(try example.ids("out/invoices.jsonl") == FakeAcmeAPI.ids("invoices", 20))
            #expect(api.server.requests.count == 4)
        }
    }
}

// MARK: - Running an example

/// A copy of `examples/<name>` in a temp dir, run in-process with the HTTP module.
private struct ExampleDirectory {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples")

    let root: URL

    init(copying name: String) throws {
        root = try TestDirectories.unused("luaflow-example")
        try FileManager.default.copyItem(at: Self.examples.appendingPathComponent(name), to: root)
        try? FileManager.default.removeItem(at: root.appendingPathComponent("out"))  // left by a manual run
    }

    func write(_ relative: String, _ text: String) throws {
        try text.write(to: root.appendingPathComponent(relative), atomically: true, encoding: .utf8)
    }

    /// Runs `pipeline.lua` (or `file`) with `--set` style overrides. With `only`, the api-reference
    /// pipeline's list of streams is first cut down to that one, so the run touches one stream.
    @discardableResult
    func run(_ overrides: [String], only: String? = nil, file: String = "pipeline.lua") async throws -> RunSummary {
        if let only {
            let url = root.appendingPathComponent(file)
            let text = try String(contentsOf: url, encoding: .utf8)
            let streams = #"ipairs { "customers", "orders", "products" }"#
            try #require(text.contains(streams), "\(file) no longer loops over \(streams)")
            try text.replacingOccurrences(of: streams, with: "ipairs { \"\(only)\" }").write(to: url, atomically: true, encoding: .utf8)
        }
        let parsed = try overrides.map { try #require(PipelineLoader.Override($0), "bad override \($0)") }
        let spec = try PipelineLoader.load(file: root.appendingPathComponent(file).path, overrides: parsed)
        let runner = try PipelineRunner(graph: PipelineGraph(spec), options: RunOptions(extensions: HTTPLuaModule.extensions()))
        return try await runner.run()
    }

    func error(_ overrides: [String], only: String? = nil, file: String = "pipeline.lua") async -> (any Error)? {
        do {
            try await run(overrides, only: only, file: file)
            return nil
        } catch {
            return error
        }
    }

    func failure(_ overrides: [String], only: String? = nil, file: String = "pipeline.lua") async -> String? {
        await error(overrides, only: only, file: file).map { "\($0)" }
    }

    func records(_ relative: String) throws -> [[String: Any]] {
        let text = try String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8)
        return try text.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    /// The `id` of every record, in file order, as text.
    func ids(_ relative: String) throws -> [String] {
        try records(relative).map { "\($0["id"] ?? "?")" }
    }
}

/// The exit code `luaflow run` gives `error`: 2 for config errors found before the run, 1 for failures.
private func exitCode(of error: any Error) -> Int32? {
    (error as? PipelineErrors)?.exitCode ?? (error as? PipelineError)?.exitCode
}

/// Sets (or, for nil, unsets) environment variables around `body`, restoring the old values.
@discardableResult
private func withEnvironment<T>(_ values: [String: String?], _ body: () async throws -> T) async throws -> T {
    let saved = values.keys.map { ($0, ProcessInfo.processInfo.environment[$0]) }
    func apply(_ pairs: [(String, String?)]) {
        for (name, value) in pairs {
            if let value { setenv(name, value, 1) } else { unsetenv(name) }
        }
    }
    apply(values.map { ($0.key, $0.value) })
    defer { apply(saved) }
    return try await body()
}

// MARK: - The fake Acme API

/// Starts a ``FakeAcmeAPI`` on a fresh server, runs `body`, and always stops the server.
private func withFakeAcme(totals: [String: Int], failAt: [String: Set<Int>] = [:], productsNextBase: String? = nil,
                          _ body: (FakeAcmeAPI) async throws -> Void) async throws {
    let server = try TestHTTPServer.start(standardRoutes: false)
    let api = FakeAcmeAPI(server: server, totals: totals, failAt: failAt, productsNextBase: productsNextBase)
    do {
        try await body(api)
        await server.stop()
    } catch {
        await server.stop()
        throw error
    }
}

/// The endpoints of the Acme API v2 that the examples read (`/v2/me` and the five streams), with
/// the paths, parameters and bodies of `examples/api-reference/mock_api.py`; plus test
/// credentials, record counts per stream, and injectable failures.
private struct FakeAcmeAPI {
    static let apiKey = "acme-test-key-51d0e2"
    static let token = "acme-test-token-93be4f"
    static let username = "acme-user"
    static let password = "acme-test-pass-77c1a9"
    static var basicHeader: String { "Basic " + Data("\(username):\(password)".utf8).base64EncodedString() }

    let server: TestHTTPServer
    var baseURL: String { server.baseURL + "/v2" }

    /// - Parameters:
    ///   - totals: records per stream (absent: 0).
    ///   - failAt: path -> the request numbers (1-based, per path) answered once with 503 and `Retry-After: 0`.
    ///   - productsNextBase: the origin `/v2/products` puts in `links.next` (default: the server's own).
    init(server: TestHTTPServer, totals: [String: Int], failAt: [String: Set<Int>], productsNextBase: String?) {
        self.server = server
        let base = server.baseURL
        func route(_ path: String, _ handler: @escaping @Sendable (TestHTTPRequest) throws -> TestHTTPResponse) {
            let failures = failAt[path] ?? []
            server.route(path) { request in
                let number = server.hit(path)
                if failures.contains(number) { return .json(["error": "try again"], status: 503, headers: [("Retry-After", "0")]) }
                guard Self.authorized(request) else {
                    return .json(["error": "unauthorized"], status: 401, headers: [("WWW-Authenticate", "Bearer realm=\"acme\"")])
                }
                do { return try handler(request) } catch let problem as BadRequest {
                    return .json(["error": problem.message], status: 400)
                } catch {
                    return .json(["error": "\(error)"], status: 500)
                }
            }
        }
        @Sendable func total(_ stream: String) -> Int { totals[stream] ?? 0 }

        route("/v2/me") { _ in .json(["id": "acct_test", "name": "Test account"]) }
        route("/v2/customers") { request in
            let size = try Self.pageSize(request, "page_size")
            let cursor = request.queryValue("cursor") ?? "cus_0000"
            guard cursor.hasPrefix("cus_"), let start = Int(cursor.dropFirst(4)) else { throw BadRequest("invalid cursor \(cursor)") }
            let end = min(total("customers"), start + size)
            let more = end < total("customers")
            // Like Stripe: the cursor of the last record is always there; only has_more says whether to go on.
            return .json(["results": Self.records("customers", start, end), "has_more": more,
                          "next_cursor": end > start ? Self.id("customers", end) as Any : NSNull(), "total": total("customers")])
        }
        route("/v2/orders") { request in
            let size = try Self.pageSize(request, "per_page")
            let page = request.queryInt("page") ?? 1
            let start = (page - 1) * size
            return .json(["data": Self.records("orders", start, min(total("orders"), start + size)), "page": page,
                          "per_page": size, "total_pages": (total("orders") + size - 1) / size, "total": total("orders")])
        }
        route("/v2/products") { request in
            let size = try Self.pageSize(request, "page_size")
            let start = request.queryValue("after").flatMap { Int($0.dropFirst(4)) } ?? 0
            let end = min(total("products"), start + size)
            let next = end < total("products")
                ? "\(productsNextBase ?? base)/v2/products?page_size=\(size)&after=\(Self.id("products", end))" as Any : NSNull()
            return .json(["items": Self.records("products", start, end), "links": ["next": next]])
        }
        route("/v2/invoices") { request in
            let limit = try Self.pageSize(request, "limit")
            let offset = request.queryInt("offset") ?? 0
            return .json(["invoices": Self.records("invoices", offset, min(total("invoices"), offset + limit)), "total": total("invoices")])
        }
        route("/v2/payments") { request in
            let size = try Self.pageSize(request, "per_page", default: 5)
            let page = request.queryInt("page") ?? 1
            let last = max(1, (total("payments") + size - 1) / size)
            var links = ["<\(base)/v2/payments?page=1&per_page=\(size)>; rel=\"first\""]
            if page < last { links.append("<\(base)/v2/payments?page=\(page + 1)&per_page=\(size)>; rel=\"next\"") }
            let start = (page - 1) * size
            return .json(Self.records("payments", start, min(total("payments"), start + size)),
                         headers: [("Link", links.joined(separator: ", "))])
        }
    }

    struct BadRequest: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    static func authorized(_ request: TestHTTPRequest) -> Bool {
        request.header("X-API-Key") == apiKey || request.header("X-Acme-Key") == apiKey
            || request.header("Authorization") == "Bearer \(token)" || request.header("Authorization") == basicHeader
    }

    /// The page size parameter `name`, which the API accepts from 1 to 250.
    static func pageSize(_ request: TestHTTPRequest, _ name: String, default fallback: Int = 25) throws -> Int {
        guard let text = request.queryValue(name) else { return fallback }
        guard let size = Int(text), (1...250).contains(size) else { throw BadRequest("\(name) must be between 1 and 250, got \(text)") }
        return size
    }

    static let prefixes = ["customers": "cus_", "products": "prd_", "invoices": "inv_", "payments": "pay_"]

    /// The id of record `n` of `stream`, as the JSON output writes it.
    static func id(_ stream: String, _ n: Int) -> String {
        if stream == "orders" { return String(1000 + n) }
        return prefixes[stream]! + String(format: "%04d", n)
    }

    /// The ids of the first `count` records of `stream`.
    static func ids(_ stream: String, _ count: Int) -> [String] {
        (0..<count).map { id(stream, $0 + 1) }
    }

    /// Records `start + 1 ... end` of `stream` (none when end <= start).
    static func records(_ stream: String, _ start: Int, _ end: Int) -> [[String: Any]] {
        guard end > start else { return [] }
        return (start + 1...end).map { n -> [String: Any] in
            switch stream {
            case "customers": return ["id": id(stream, n), "name": "Customer \(n)", "email": "customer\(n)@example.com"]
            case "orders": return ["id": 1000 + n, "customer_id": "cus_0001", "amount": 9.5 * Double(n), "status": "paid"]
            case "products": return ["id": id(stream, n), "name": "Product \(n)", "price": 5 + n]
            case "invoices": return ["id": id(stream, n), "amount_due": 100 * n, "paid": n % 2 == 0]
            default: return ["id": id(stream, n), "amount": 25 * n, "currency": "EUR"]
            }
        }
    }

    /// Overrides pointing the api-reference pipeline's `nodes` at this server, with `settings`
    /// for each, plus the api_key credential unless `credentials` is false.
    func referenceOverrides(nodes: [String], _ settings: [String: String] = [:], credentials: Bool = true) -> [String] {
        var all = ["base_url": baseURL]
        if credentials { all["api_key"] = Self.apiKey }
        all.merge(settings) { $1 }
        return nodes.flatMap { node in all.sorted { $0.key < $1.key }.map { "\(node).\($0.key)=\($0.value)" } }
    }

    /// Overrides for both nodes of the multi-endpoint pipeline.
    func multiOverrides(_ settings: [String: String], token: Bool = true) -> [String] {
        var all = ["base_url": baseURL]
        if token { all["token"] = Self.token }
        all.merge(settings) { $1 }
        return ["customers", "invoices"].flatMap { node in all.sorted { $0.key < $1.key }.map { "\(node).\($0.key)=\($0.value)" } }
    }

    /// Runs the reference connector through a probe script that loads it unchanged, records what
    /// its `check()` returned when `init()` called it, and emits `{ok, problem, count}` as the
    /// only record. The probe lets init() go on when check() fails, so count() is reached too.
    func probe(_ config: [String: Any], baseURL: String? = nil) async throws -> [String: Any] {
        let example = try ExampleDirectory(copying: "api-reference")
        try example.write("probe.lua", """
        local f = assert(io.open("connectors/reference_api.lua"))
        local code = f:read("a")
        f:close()
        assert(load(code, "@connectors/reference_api.lua", "t", _ENV))()   -- the connector, in this node's globals

        local real_check, checked = check, nil
        function check()                        -- init() calls the global check()
          checked = table.pack(real_check())
          return true
        end

        local done = false
        function get()
          if done then return nil end
          done = true
          return { { ok = checked[1], problem = checked[2], count = count() } }, nil
        end
        """)
        var cfg: [String: Any] = ["base_url": baseURL ?? self.baseURL, "stream": "customers"]
        cfg.merge(config) { $1 }
        let table = cfg.sorted { $0.key < $1.key }.map { key, value in
            "\(key) = \(value is String ? "\"\(value)\"" : "\(value)")"
        }.joined(separator: ", ")
        try example.write("probe_pipeline.lua", """
        network { { source("probe.lua", { name = "probe", \(table) }), sink.file { path = "out/probe.jsonl" } } }
        """)
        try await example.run([], file: "probe_pipeline.lua")
        return try #require(try example.records("out/probe.jsonl").first)
    }
}
