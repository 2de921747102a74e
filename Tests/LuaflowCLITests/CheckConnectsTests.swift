import Foundation
import Testing
import TestSupport

/// `luaflow check` contacts what a run would: `source.http` requests its first page, so a bad
/// token or an unreachable host is a problem with its reason; `--offline` runs the static checks
/// alone; `sink.http` says it was not contacted.
@Suite struct CheckConnectsTests {
    static func workspace(source: String) throws -> URL {
        let dir = try LuaflowBinary.workspace()
        try dir.write("pipeline.lua", """
        network { { source.http { name = "api", \(source), retry = { max_attempts = 1 } },
                    sink.http { name = "push", url = "http://127.0.0.1:9/ingest" } } }
        """)
        return dir
    }

    @Test func aBadTokenIsAProblemNamingTheStatus() throws {
        let server = try TestHTTPServer.start()
        defer { server.stop() }
        let dir = try Self.workspace(source: #"base_url = "\#(server.baseURL)", path = "/auth/bearer", auth = { bearer = "wrong-token" }"#)
        let result = try LuaflowBinary.run(["check", "pipeline.lua"], in: dir)
        #expect(result.exitCode == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("api   source  check:"), "\(result.stdout)")
        #expect(result.stdout.contains("failed with status 401"), "\(result.stdout)")
        #expect(!result.stdout.contains("wrong-token"), "\(result.stdout)")
        #expect(server.requests(path: "/auth/bearer").count == 1)
    }

    @Test func aGoodTokenIsOkAndSaysWhatAnswered() throws {
        let server = try TestHTTPServer.start()
        defer { server.stop() }
        let token = TestHTTPServer.Credentials.bearerToken
        let dir = try Self.workspace(source: #"base_url = "\#(server.baseURL)", path = "/link?per_page=10&total=25", auth = { bearer = "\#(token)" }"#)
        let result = try LuaflowBinary.run(["check", "pipeline.lua"], in: dir)
        #expect(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("api   source  ok: GET \(server.baseURL)/link?per_page=10&total=25 answered 200"), "\(result.stdout)")
        #expect(result.stdout.contains("push  sink    ok: not contacted: every request of sink.http writes records"), "\(result.stdout)")
    }

    @Test func anUnreachableHostIsAProblemNamingTheReason() throws {
        let dir = try Self.workspace(source: #"base_url = "http://127.0.0.1:9", path = "/items""#)
        let result = try LuaflowBinary.run(["check", "pipeline.lua"], in: dir)
        #expect(result.exitCode == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("api   source  check:"), "\(result.stdout)")
        #expect(result.stdout.lowercased().contains("refused"), "\(result.stdout)")
    }

    @Test func offlineRunsTheStaticChecksAlone() throws {
        let dir = try Self.workspace(source: #"base_url = "http://127.0.0.1:9", path = "/items""#)
        let result = try LuaflowBinary.run(["check", "pipeline.lua", "--offline"], in: dir)
        #expect(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("all 2 nodes ok"), "\(result.stdout)")
        try dir.write("pipeline.lua", #"network { { source.http { name = "api", base_url = "http://127.0.0.1:1", pth = "/x" }, sink.stdout {} } }"#)
        let typo = try LuaflowBinary.run(["check", "pipeline.lua", "--offline"], in: dir)
        #expect(typo.exitCode == 2)
        #expect(typo.stdout.contains("did you mean `path`?"), "\(typo.stdout)")
    }
}
