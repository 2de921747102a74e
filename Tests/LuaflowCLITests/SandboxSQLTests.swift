import Foundation
import Testing
import TestSupport

/// Red-team tests of the `sql` module, through the built binary: a script reaches only the
/// databases its config names and the SQLite files its `io.open` may open, never the state store,
/// never an environment variable, and a database password never shows in any output.
@Suite struct SandboxSQLTests {
    /// Runs `script` as a source in a fresh workspace (SIGKILL after `killAfter` seconds when
    /// given); returns the run's result.
    func run(_ script: String, config: String = "{}", killAfter: Double? = nil) throws -> (LuaflowBinary.Result, URL) {
        let dir = try LuaflowBinary.workspace()
        try dir.write("probe.lua", script)
        try dir.write("pipeline.lua", #"network { { source("probe.lua", \#(config)), sink.stdout {} } }"#)
        return (try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir, killAfter: killAfter), dir)
    }

    @Test(arguments: ["/etc/passwd", "../outside.db", "/tmp/luaflow-elsewhere.db", ".luaflow/state.db", "pipeline.lua"])
    func aSQLiteFileOutsideWhatTheNodeMayOpenIsRefused(_ path: String) throws {
        let (result, dir) = try run("""
            local done = false
            function run()
              if done then return nil end
              done = true
              local ok, err = pcall(sql.connect, "\(path)")
              return { ok = ok, err = not ok and tostring(err) or nil }
            end
            """)
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.contains(#""ok":false"#), "\(path): \(result.stdout)")
        #expect(result.stdout.contains("access denied") || result.stdout.contains("read-only"), "\(path): \(result.stdout)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("../outside.db").standardized.path))
    }

    @Test func envReferencesAreNotReadByScripts() throws {
        let (result, _) = try run("""
            local done = false
            function run()
              if done then return nil end
              done = true
              local ok, err = pcall(sql.connect, "env:HOME")
              return { ok = ok, err = tostring(err) }
            end
            """)
        #expect(result.stdout.contains("env: references are resolved in the node's config"), "\(result.stdout)")
    }

    @Test func aWrongDatabasePasswordNeverShows() throws {
        let pg = try PostgresCluster.shared()
        let password = "sandbox-pg-secret-4a7b"
        let (result, _) = try run("""
            schema = { dsn = { type = "secret", required = true } }
            local done = false
            function run()
              if done then return nil end
              done = true
              local ok, err = pcall(sql.connect, config.dsn)
              print("connect said: " .. tostring(err))
              log.error(config.dsn)
              error(err)
            end
            """, config: #"{ dsn = "\#(pg.dsn(password: password))" }"#)
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("[auth] cannot log in to postgres://luaflow:***@127.0.0.1:\(pg.port)/luaflow"), "\(result.stderr)")
        #expect(!result.stderr.contains(password) && !result.stdout.contains(password), "\(result.stderr)")
    }
}

extension SandboxSQLTests {
    @Test func aDSNTheConfigDoesNotNameIsRefused() throws {
        let pg = try PostgresCluster.shared()
        let (result, _) = try run("""
            schema = { dsn = { type = "secret", required = true } }
            local done = false
            function run()
              if done then return nil end
              done = true
              local ok, err = pcall(sql.connect, config.dsn:gsub("/luaflow%?", "/postgres?"))
              return { ok = ok, err = tostring(err) }
            end
            """, config: #"{ dsn = "\#(pg.dsn())" }"#)
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.contains("a script connects only to the databases its node's config names"), "\(result.stdout)")
    }
}
