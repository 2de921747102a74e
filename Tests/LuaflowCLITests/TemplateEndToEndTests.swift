import Foundation
import Testing
import TestSupport

/// Every template, as `luaflow new` writes it: its own tests pass under `luaflow test`, and its
/// pipeline runs unchanged (API templates against the in-process test server via `--set`).
@Suite struct TemplateEndToEndTests {
    /// Generates `template` as connector `name` into a fresh directory and returns that directory.
    /// Some tests give the connector the name of a helper node of the generated pipeline, to
    /// check that `--set <name>.key=...` still reaches the connector.
    static func generate(_ template: String, name: String = "demo") throws -> URL {
        let workspace = try LuaflowBinary.workspace()
        let result = try LuaflowBinary.run(["new", template, name, "--dir", "demo"], in: workspace)
        #expect(result.exitCode == 0, "\(result.stderr)")
        return workspace.appendingPathComponent("demo")
    }

    /// Runs the generated pipeline and expects it to succeed.
    @discardableResult
    static func runPipeline(_ dir: URL, _ args: [String] = [], environment: [String: String?] = [:]) throws -> LuaflowBinary.Result {
        let result = try LuaflowBinary.run(["run", "pipeline.lua"] + args, in: dir, environment: environment)
        #expect(result.exitCode == 0, "\(result.stderr)")
        return result
    }

    static func jsonLines(_ dir: URL, _ file: String) throws -> [[String: Any]] {
        try dir.read(file).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test(arguments: ["list-source", "file-source", "api-source", "streaming-source", "incremental-source", "transform",
                      "collector-sink", "file-writer-sink", "api-poster-sink", "batch-writer-sink"])
    func generatedTestsPass(template: String) throws {
        let dir = try Self.generate(template)
        let result = try LuaflowBinary.run(["test", "."], in: dir, environment: ["DEMO_TOKEN": nil])
        #expect(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains(" passed, 0 failed"), "\(result.stdout)")
        #expect(!result.stdout.contains("FAIL"))
    }

    @Test func listSourcePipeline() throws {
        let dir = try Self.generate("list-source")
        let result = try Self.runPipeline(dir, ["-q"])
        #expect(try Self.jsonLines(dir, "out/demo.jsonl").map { $0["name"] as? String } == ["Alice", "Bob", "Carol"])
        #expect(result.stdout.contains(#""greeting":"Hello, Bob!""#))
    }

    @Test func fileSourcePipeline() throws {
        let dir = try Self.generate("file-source")
        try Self.runPipeline(dir)
        let records = try Self.jsonLines(dir, "out/demo.jsonl")
        #expect(records.map { $0["level"] as? String } == ["info", "warn", "error"])
        #expect(records[0]["msg"] as? String == "user signed in")
    }

    @Test func apiSourcePipeline() throws {
        let server = try TestHTTPServer.start(standardRoutes: false)
        defer { server.stop() }
        server.route("/items") { request in
            request.queryValue("cursor") == nil
                ? .json(["data": [["id": 1], ["id": 2]], "next_cursor": "c2"])
                : .json(["data": [["id": 3]], "next_cursor": NSNull()])
        }
        let dir = try Self.generate("api-source")
        try Self.runPipeline(dir, ["--set", "demo.base_url=\(server.baseURL)"], environment: ["DEMO_TOKEN": "e2e-token-1234"])
        #expect(try Self.jsonLines(dir, "out/demo.jsonl").map { $0["id"] as? Int } == [1, 2, 3])
        let requests = server.requests(path: "/items")
        #expect(requests.map { $0.queryValue("cursor") } == [nil, "c2"])
        #expect(requests.allSatisfy { $0.header("Authorization") == "Bearer e2e-token-1234" })
    }

    @Test func incrementalSourcePipeline() throws {
        let server = try TestHTTPServer.start(standardRoutes: false)
        defer { server.stop() }
        server.route("/items") { request in
            request.queryInt("page") == 1
                ? .json(["data": [["id": 1, "updated_at": "2024-05-01T10:00:00Z"]], "has_more": true])
                : .json(["data": [["id": 2, "updated_at": "2024-05-02T10:00:00Z"]], "has_more": false])
        }
        let dir = try Self.generate("incremental-source")
        try Self.runPipeline(dir, ["--set", "demo.base_url=\(server.baseURL)"], environment: ["DEMO_TOKEN": nil])
        #expect(try Self.jsonLines(dir, "out/demo.jsonl").map { $0["id"] as? Int } == [1, 2])
        #expect(server.requests(path: "/items").map { $0.queryInt("page") } == [1, 2])
    }

    @Test func streamingSourcePipeline() throws {
        let server = try TestHTTPServer.start(standardRoutes: false)
        defer { server.stop() }
        server.route("/events") { request in
            let after = request.header("Last-Event-ID").flatMap { Int($0) } ?? 0
            let events = (after + 1...after + 3).map { "id: \($0)\ndata: {\"type\":\"click\",\"n\":\($0)}\n\n" }
            return .eventStream(events, ending: after == 0 ? .drop : .hold)
        }
        let dir = try Self.generate("streaming-source")
        let base = ["--set", "demo.base_url=\(server.baseURL)"]
        // The first connection drops after 3 events: the template reconnects from id 3.
        try Self.runPipeline(dir, base + ["--set", "demo.max_items=4"], environment: ["DEMO_TOKEN": "e2e-token-5678"])
        #expect(try Self.jsonLines(dir, "out/demo.jsonl").map { $0["id"] as? Int } == [1, 2, 3, 4])
        try Self.runPipeline(dir, base + ["--set", "demo.max_items=3"], environment: ["DEMO_TOKEN": "e2e-token-5678"])
        #expect(try Self.jsonLines(dir, "out/demo.jsonl").map { $0["id"] as? Int } == [5, 6, 7], "the second run starts after the first")
        let requests = server.requests(path: "/events")
        // Each reconnect names the last event received (a drop racing the 3rd event costs one more
        // reconnect); the second run starts from the committed id 4.
        let sent = requests.map { $0.header("Last-Event-ID") }
        let resumedFrom = sent.dropFirst().compactMap { $0.flatMap { Int($0) } }
        #expect(sent.first == .some(nil) && resumedFrom.count == sent.count - 1 && resumedFrom.last == 4, "\(sent)")
        #expect(resumedFrom == resumedFrom.sorted(), "\(sent)")
        #expect(requests.allSatisfy { $0.header("Authorization") == "Bearer e2e-token-5678" })
    }

    @Test func transformPipeline() throws {
        let dir = try Self.generate("transform", name: "users")
        let result = try Self.runPipeline(dir)
        let records = try Self.jsonLines(dir, "out/users.jsonl")
        #expect(records.map { $0["roles"] as? String } == ["admin", "dev", "analyst"])
        #expect(records.map { $0["email"] as? String } == ["ada@example.com", "ada@example.com", "kofi@example.com"])
        #expect(result.stderr.contains("dropped 1 records missing id"))
    }

    @Test func collectorSinkPipeline() throws {
        let dir = try Self.generate("collector-sink", name: "orders")
        let result = try Self.runPipeline(dir, ["--set", "orders.group_by=country"])
        #expect(result.stderr.contains("collected 4 records"))
        #expect(result.stderr.contains("country = GB: 2"))
        #expect(result.stderr.contains("country = SG: 1"))
    }

    @Test func fileWriterSinkPipeline() throws {
        let dir = try Self.generate("file-writer-sink", name: "people")
        try Self.runPipeline(dir)
        #expect(try dir.read("out/people.md") == """
            | name | role | since |
            |---|---|---|
            | Ada Lovelace | engineer | 1843 |
            | Lin Mei |  | 2021 |
            | Kofi Mensah | analyst | 2019 |

            """)
    }

    @Test func apiPosterSinkPipeline() throws {
        let server = try TestHTTPServer.start(standardRoutes: false)
        defer { server.stop() }
        server.route("/items") { request in request.method == "POST" ? .json(["ok": true], status: 201) : .text("", status: 405) }
        let dir = try Self.generate("api-poster-sink", name: "signups")
        try Self.runPipeline(dir, ["--set", "signups.base_url=\(server.baseURL)"], environment: ["SIGNUPS_TOKEN": nil])
        let posts = server.requests(path: "/items")
        #expect(posts.count == 3)
        let emails = try posts.map { try JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any] }.map { $0?["email"] as? String }
        #expect(emails == ["ada@example.com", "lin@example.com", "kofi@example.com"])
        #expect(Set(posts.compactMap { $0.header("Idempotency-Key") }).count == 3)
    }

    @Test func batchWriterSinkPipeline() throws {
        let dir = try Self.generate("batch-writer-sink", name: "events")
        try Self.runPipeline(dir, ["--set", "events.batch_size=120"])
        let batches = try Self.jsonLines(dir, "out/events.jsonl")
        #expect(batches.map { $0["count"] as? Int } == [120, 120, 10])
        #expect((batches[2]["records"] as? [Any])?.count == 10)
    }

    @Test func pipelineTemplate() throws {
        let dir = try Self.generate("pipeline")
        try Self.runPipeline(dir)
        #expect(try Self.jsonLines(dir, "out/demo.jsonl").map { $0["order_id"] as? String } == ["1001", "1004"])
        #expect(try dir.read("out/demo_report.csv") == "order_id,customer,amount\n1001,Ada Lovelace,120.5\n1004,Kofi Mensah,89.9\n")
    }
}
