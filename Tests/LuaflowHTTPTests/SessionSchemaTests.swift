import Foundation
import Testing

/// `http.session{...}` and `session:paginate{...}` called from a script are checked against the
/// same schemas as `source.http`'s config, with the same wording, at the script's line.
@Suite struct SessionSchemaTests {
    private func failure(_ script: String) async throws -> String {
        let harness = try LuaPipelineHarness()
        try harness.write("src.lua", script)
        try harness.write("pipeline.lua", #"network { { source("src.lua"), sink.stdout {} } }"#)
        return try #require(await harness.failure())
    }

    @Test func sessionTyposAreReportedTogetherAtTheScriptLine() async throws {
        let message = try await failure("""
        function init()
          http.session { rate_limt = { requests = 1 }, retry = { max_atempts = 3 }, timeout = 0 }
        end
        function run() end
        """)
        #expect(message.contains("src.lua:2: http.session: "), "\(message)")
        #expect(message.contains("unknown setting `rate_limt`; did you mean `rate_limit`?"), "\(message)")
        #expect(message.contains("unknown setting `retry.max_atempts`; did you mean `retry.max_attempts`?"), "\(message)")
        #expect(message.contains("timeout: must be above 0, got 0"), "\(message)")
    }

    @Test func paginatorMistakesAreReportedAtTheScriptLine() async throws {
        let message = try await failure("""
        function run()
          local pages = http.paginate { path = "http://127.0.0.1:9/x", paginator = { type = "offset", limt = 5 } }
        end
        """)
        #expect(message.contains("src.lua:2: paginator: unknown setting `paginator.limt`; did you mean `paginator.limit`?"), "\(message)")
    }

    @Test func forwardHeadersMustBeAListOfHeaderNames() async throws {
        let message = try await failure("""
        function init()
          http.session { forward_headers = { "X-Trace", "Bad Name" } }
        end
        function run() end
        """)
        #expect(message.contains("src.lua:2: http.session: "), "\(message)")
        #expect(message.contains("forward_headers[2]: does not match the pattern"), "\(message)")
    }

    @Test func scriptsMayReuseTheHTTPSchemas() async throws {
        let harness = try LuaPipelineHarness()
        try harness.write("src.lua", "schema = { auth = http.schema.auth }\nfunction run() end")
        try harness.write("pipeline.lua", #"network { { source("src.lua", { auth = { bearr = "x" } }), sink.stdout {} } }"#)
        let typo = try #require(await harness.failure())
        #expect(typo.contains("unknown setting `auth.bearr`; did you mean `auth.bearer`?"), "\(typo)")
    }
}
