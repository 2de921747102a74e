import Foundation
import Testing
import TestSupport

/// One config path: every node's options (scripts and built-ins, nested tables included) are
/// checked by one validator before anything runs, with one wording, and `luaflow spec` prints the
/// same schema as JSON Schema.
@Suite struct ConfigSchemaTests {
    /// A pipeline whose source.http (declared at line 2) has `paginator` and more settings.
    private func httpPipeline(_ settings: String) throws -> URL {
        let dir = try LuaflowBinary.workspace()
        try dir.write("pipeline.lua", """
        network { {
          source.http { name = "api", base_url = "http://127.0.0.1:9", path = "/items", \(settings) },
          sink.file { path = "out.jsonl" },
        } }
        """)
        return dir
    }

    @Test func aTopLevelTypoSuggestsTheSetting() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("in.jsonl", "{}\n")
        try dir.write("pipeline.lua", #"network { { source.file { paht = "in.jsonl" }, sink.stdout {} } }"#)
        let result = try LuaflowBinary.run(["check", "pipeline.lua"], in: dir)
        #expect(result.exitCode == 2)
        #expect(result.stdout.contains("unknown setting `paht`; did you mean `path`? (in pipeline.lua:1)"), "\(result.stdout)")
        #expect(result.stdout.contains("config.path: is required"), "\(result.stdout)")
    }

    @Test func aTypoIsReportedAtTheLineThatWritesIt() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("pipeline.lua", """
        local api = source.http {
          name = "api",
          base_url = "http://127.0.0.1:9",
          path = "/items",
          paginator = {
            type = "cursor",
            cursor_pth = "next",
          },
          retry = { max_attempts = "many" },
        }
        local out = sink.file {
          pth = "out.jsonl",
        }
        network { { api, out } }
        """)
        let check = try LuaflowBinary.run(["check", "--offline", "pipeline.lua"], in: dir)
        #expect(check.exitCode == 2)
        #expect(check.stdout.contains("unknown setting `paginator.cursor_pth`; did you mean `paginator.cursor_path`? (in pipeline.lua:7)"), "\(check.stdout)")
        #expect(check.stdout.contains("config.retry.max_attempts: expected an integer, got the string 'many' (in pipeline.lua:9)"), "\(check.stdout)")
        #expect(check.stdout.contains("unknown setting `pth`; did you mean `path`? (in pipeline.lua:12)"), "\(check.stdout)")
    }

    @Test func aMisspelledDSLNameGetsASuggestion() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("pipeline.lua", """
        local list = source.list { items = { { a = 1 } } }
        network { { list, transfrom(function(r) return r end), sink.stdout {} } }
        """)
        let run = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
        #expect(run.exitCode == 2)
        #expect(run.stderr.contains("global 'transfrom'") && run.stderr.contains("did you mean `transform`?"), "\(run.stderr)")
    }

    @Test func anEmptySecretFailsValidation() throws {
        let dir = try httpPipeline(#"auth = { bearer = "env:EMPTY_TEST_TOKEN" }"#)
        let run = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir, environment: ["EMPTY_TEST_TOKEN": ""])
        #expect(run.exitCode == 2)
        #expect(run.stderr.contains("config.auth.bearer: is an empty secret"), "\(run.stderr)")
        let basic = try httpPipeline(#"auth = { basic = { username = "env:EMPTY_TEST_USER", password = "" } }"#)
        let allowed = try LuaflowBinary.run(["check", "--offline", "pipeline.lua"], in: basic, environment: ["EMPTY_TEST_USER": "sk_test_key"])
        #expect(!allowed.stdout.contains("empty secret"), "\(allowed.stdout)")
    }

    @Test func aPaginatorTypoFailsCheckAndRunAtThePipelineLine() throws {
        let dir = try httpPipeline(#"paginator = { type = "cursor", cursor_pth = "next" }"#)
        let check = try LuaflowBinary.run(["check", "pipeline.lua"], in: dir)
        #expect(check.exitCode == 2)
        #expect(check.stdout.contains("unknown setting `paginator.cursor_pth`; did you mean `paginator.cursor_path`? (in pipeline.lua:2)"), "\(check.stdout)")
        #expect(check.stdout.contains("config.paginator.cursor_path: is required: where the body holds the next cursor (in pipeline.lua:2)"), "\(check.stdout)")
        #expect(!check.stdout.contains("luaflow/"), "\(check.stdout)")
        let run = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
        #expect(run.exitCode == 2)
        #expect(run.stderr.contains("unknown setting `paginator.cursor_pth`; did you mean `paginator.cursor_path`? (in pipeline.lua:2)"), "\(run.stderr)")
        #expect(!run.stderr.contains("luaflow/"), "\(run.stderr)")
    }

    @Test(arguments: [
        (#"paginator = { type = "cursour", cursor_path = "next" }"#,
         "config.paginator.type: expected one of auto, cursor, link_header, next_url, none, offset, page; got the string 'cursour'; did you mean `cursor`?"),
        (#"auth = { bearr = "t0ken-1234" }"#, "unknown setting `auth.bearr`; did you mean `auth.bearer`?"),
        (#"auth = { bearr = "t0ken-1234" }"#, "config.auth: needs one of api_key, bearer, basic, oauth2, oauth2_client_credentials"),
        (#"retry = { max_atempts = 3 }"#, "unknown setting `retry.max_atempts`; did you mean `retry.max_attempts`?"),
        (#"rate_limit = { requests = 5, strategy = "leaky" }"#, "config.rate_limit.strategy: expected one of token_bucket, sliding_window; got the string 'leaky'"),
        (#"timeout = { raed = 5 }"#, "unknown setting `timeout.raed`; did you mean `timeout.read`?"),
        (#"incremental = { cursor_field = "updated_at" }"#, "config.incremental: needs one of cursor_param, window"),
        (#"retry = { max_attempts = "three" }"#, "config.retry.max_attempts: expected an integer, got the string 'three'"),
    ])
    func nestedMistakesAreFoundAtLoad(settings: String, expected: String) throws {
        let result = try LuaflowBinary.run(["check", "pipeline.lua"], in: try httpPipeline(settings))
        #expect(result.exitCode == 2)
        #expect(result.stdout.contains(expected), "\(result.stdout)")
    }

    @Test func aSecretIsNeverShownInAMessage() throws {
        let result = try LuaflowBinary.run(["check", "pipeline.lua"], in: try httpPipeline(#"auth = { bearer = 12345678 }"#))
        #expect(result.exitCode == 2)
        #expect(result.stdout.contains("config.auth.bearer: expected a string, got an integer (a secret: its value is not shown)"), "\(result.stdout)")
        #expect(!result.stdout.contains("12345678"))
    }

    @Test func everyProblemOfEveryNodeIsReportedTogether() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("pipeline.lua", """
        network { {
          source.list { items = {}, max_items = "ten" },
          sink.file { path = "out.csv", mode = "apend", colums = { "a" } },
        } }
        """)
        let result = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("3 problems:"), "\(result.stderr)")
        #expect(result.stderr.contains("config.max_items: expected an integer, got the string 'ten' (in pipeline.lua:2)"), "\(result.stderr)")
        #expect(result.stderr.contains("config.mode: expected one of overwrite, append; got the string 'apend'; did you mean `append`? (in pipeline.lua:3)"), "\(result.stderr)")
        #expect(result.stderr.contains("unknown setting `colums`; did you mean `columns`? (in pipeline.lua:3)"), "\(result.stderr)")
        #expect(!dir.exists("out.csv"))
    }

    @Test func aBadSetValueNamesTheFlag() throws {
        let dir = try httpPipeline(#"paginator = { type = "cursor", cursor_path = "next" }"#)
        let result = try LuaflowBinary.run(["check", "pipeline.lua", "--set", "api.paginator.limit=abc", "--set", "api.retyr=1"], in: dir)
        #expect(result.exitCode == 2)
        #expect(result.stdout.contains("--set api.paginator.limit=abc: expected an integer, got the string 'abc'"), "\(result.stdout)")
        #expect(result.stdout.contains("--set api.retyr=1: unknown setting `retyr`; did you mean `retry`?"), "\(result.stdout)")
        #expect(!result.stdout.contains("pipeline.lua:2"), "\(result.stdout)")
        let fixed = try LuaflowBinary.run(["check", "pipeline.lua", "--offline", "--set", "api.paginator.limit=50"], in: dir)
        #expect(fixed.exitCode == 0, "\(fixed.stdout)")
    }

    @Test func errorsOfBuiltInLuaAreReportedAtTheDeclaration() throws {
        let server = try TestHTTPServer.start(standardRoutes: false)
        defer { server.stop() }
        server.route("/items") { _ in .json(["data": [["id": 1]]]) }
        let dir = try LuaflowBinary.workspace()
        try dir.write("pipeline.lua", """
        network { {
          source.http { name = "api", base_url = "\(server.baseURL)", path = "/items", records_path = "items" },
          sink.file { path = "out.jsonl" },
        } }
        """)
        let result = try LuaflowBinary.run(["run", "pipeline.lua", "-v"], in: dir)
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("records_path 'items' is not in the response of page 1"), "\(result.stderr)")
        #expect(result.stderr.contains("(source.http declared at pipeline.lua:2)"), "\(result.stderr)")
        #expect(!result.stderr.contains("luaflow/"), "\(result.stderr)")
    }

    @Test func checkListsEachNodesOptions() throws {
        let dir = try httpPipeline(#"paginator = { type = "cursor", cursor_path = "next" }"#)
        let result = try LuaflowBinary.run(["check", "pipeline.lua", "--options", "--offline"], in: dir)
        #expect(result.exitCode == 0, "\(result.stdout)")
        let out = result.stdout
        #expect(out.contains("api (source.http):"), "\(out)")
        #expect(out.contains("  base_url "), "\(out)")
        #expect(out.contains(#"    type = "cursor":"#), "\(out)")
        #expect(out.contains("      cursor_path "), "\(out)")
        #expect(out.contains("  resources "), "\(out)")
        #expect(out.contains("    <name>                     table"), "each resource's settings: \(out)")
        #expect(out.contains("      include_from_parent "), "\(out)")
        #expect(out.contains("out.jsonl (sink.file):"), "\(out)")
        #expect(out.contains(#"one of "overwrite", "append", default "overwrite""#), "\(out)")
        #expect(out.contains("common options (every node):"), "\(out)")
        #expect(out.contains("  batch_size "), "\(out)")
        let json = try LuaflowBinary.run(["check", "pipeline.lua", "--options", "--offline", "--log-format", "json"], in: dir)
        let nodes = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])["nodes"] as? [[String: Any]]
        let options = try #require(nodes?.first?["options"] as? [String: Any])
        #expect((options["properties"] as? [String: Any])?["paginator"] != nil, "\(json.stdout)")
    }

    /// Parses `luaflow spec target` as JSON.
    private func spec(_ target: String, in dir: URL) throws -> [String: Any] {
        let result = try LuaflowBinary.run(["spec", target], in: dir)
        #expect(result.exitCode == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    @Test func specOfAScript() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("users.lua", """
        schema = {
          base_url = { type = "url", required = true, description = "the API" },
          token = { type = "secret", env = "USERS_TOKEN" },
          page_size = { type = "integer", default = 50, min = 1, max = 500 },
          region = { type = "enum", values = { "eu", "us" }, default = "eu" },
        }
        function run() end
        """)
        let schema = try spec("users.lua", in: dir)
        #expect(schema["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        #expect(schema["additionalProperties"] as? Bool == false)
        #expect(schema["required"] as? [String] == ["base_url"])
        let properties = try #require(schema["properties"] as? [String: [String: Any]])
        #expect(properties["base_url"]?["format"] as? String == "uri")
        #expect(properties["token"]?["writeOnly"] as? Bool == true)
        #expect(properties["token"]?["x-env"] as? String == "USERS_TOKEN")
        #expect(properties["page_size"]?["default"] as? Int == 50)
        #expect(properties["page_size"]?["minimum"] as? Int == 1 && properties["page_size"]?["maximum"] as? Int == 500)
        #expect(properties["region"]?["enum"] as? [String] == ["eu", "us"])
        #expect(properties["batch_size"]?["x-luaflow-common"] as? Bool == true)
        #expect(properties["base_url"]?["x-luaflow-common"] == nil)
    }

    @Test func specOfABuiltIn() throws {
        let schema = try spec("source.http", in: try LuaflowBinary.workspace())
        let properties = try #require(schema["properties"] as? [String: [String: Any]])
        #expect(schema["required"] as? [String] == ["base_url"])
        let auth = try #require(properties["auth"]?["properties"] as? [String: [String: Any]])
        #expect(auth["bearer"]?["writeOnly"] as? Bool == true)
        #expect((auth["basic"]?["properties"] as? [String: [String: Any]])?["password"]?["writeOnly"] as? Bool == true)
        #expect(properties["auth"]?["additionalProperties"] as? Bool == false)
        let retry = try #require(properties["retry"]?["properties"] as? [String: [String: Any]])
        #expect(retry["max_attempts"]?["default"] as? Int == 5 && retry["max_attempts"]?["minimum"] as? Int == 1)
        let paginator = try #require(properties["paginator"])
        #expect(paginator["unevaluatedProperties"] as? Bool == false)
        let variants = try #require(paginator["oneOf"] as? [[String: Any]])
        let cursor = try #require(variants.first { (($0["properties"] as? [String: Any])?["type"] as? [String: Any])?["const"] as? String == "cursor" })
        #expect(cursor["required"] as? [String] == ["cursor_path"])
        #expect(((cursor["properties"] as? [String: Any])?["cursor_param"] as? [String: Any])?["default"] as? String == "cursor")
        #expect(((properties["timeout"]?["anyOf"] as? [[String: Any]])?.count) == 2)
        #expect(try spec("sink.file", in: try LuaflowBinary.workspace())["required"] as? [String] == ["path"])
    }

    @Test func specOfAnUnknownNameListsTheBuiltIns() throws {
        let result = try LuaflowBinary.run(["spec", "source.htp"], in: try LuaflowBinary.workspace())
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("source.htp: no such connector script or built-in (built-ins: sink.file, sink.http"), "\(result.stderr)")
        // `spec --help` names the same built-ins, every one of them.
        let listed = try #require(result.stderr.split(separator: "(built-ins: ").last?.split(separator: ")").first)
        let help = try LuaflowBinary.run(["spec", "--help"])
        let flat = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(listed.split(separator: ", ").count >= 13)
        #expect(flat.contains("built-in: " + listed + "."), "\(help.stdout)")
    }
}
