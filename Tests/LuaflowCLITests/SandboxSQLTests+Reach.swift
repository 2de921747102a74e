import Foundation
import Testing
import TestSupport

/// What SQL a script runs on a SQLite file it may open: nothing that reaches another file (the
/// state store included) or a native pointer.
extension SandboxSQLTests {
    @Test func sqliteStatementsReachNoOtherFileAndNoPointer() throws {
        let (result, dir) = try run(#"""
            local attacks = {
              { "ATTACH DATABASE '.luaflow/state.db' AS s" },
              { "ATTACH 'file:.luaflow/state.db?mode=rw' AS s" },
              { "ATTACH DATABASE '../outside.db' AS o" },
              { "VACUUM INTO '../copy.db'" },
              { "VACUUM INTO '.luaflow/state.db'" },
              { "SELECT fts3_tokenizer('simple') AS p" },
              { "SELECT fts3_tokenizer('simple', ?) AS p", { "AAAAAAAA" } },
              { "SELECT load_extension('/lib/x86_64-linux-gnu/libc.so.6') AS p" },
              { "PRAGMA writable_schema = ON; UPDATE sqlite_master SET sql = 'x' WHERE name = 't'" },
            }
            local done = false
            function run()
              if done then return nil end
              done = true
              local db = sql.connect("own.db")
              db:exec("CREATE TABLE t (x)")
              local out = {}
              for i, a in ipairs(attacks) do
                local ok, err = pcall(function() for _ in db:query(a[1], a[2]) do end end)
                out[i] = { sql = a[1], ok = ok, err = tostring(err) }
              end
              return { results = out }
            end
            """#)
        #expect(result.exitCode == 0, "\(result.stderr)")
        let output = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let records = try #require(output?["results"] as? [[String: Any]], "\(result.stdout)")
        #expect(records.count == 9, "\(result.stdout)")
        for record in records {
            #expect(record["ok"] as? Bool == false, "\(record)")
        }
        #expect(records.prefix(5).allSatisfy { ($0["err"] as? String)?.contains("ATTACH and VACUUM are refused") == true }, "\(records)")
        #expect(records[5...7].allSatisfy { ($0["err"] as? String)?.contains("is not available in luaflow") == true }, "\(records)")
        for stray in ["../outside.db", "../copy.db"] {
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent(stray).standardized.path), "\(stray)")
        }
    }

    @Test func aRunawaySQLiteQueryStopsAtTheTimeLimit() throws {
        let started = Date()
        let (result, _) = try run("""
            function run()
              local db = sql.connect("own.db")
              for row in db:query("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) AS c FROM n") do
                return { row }
              end
            end
            """, config: #"{ name = "probe", time_limit = 2 }"#, killAfter: 60)
        #expect(Date().timeIntervalSince(started) < 20, "the query ran past the time limit")
        #expect(result.exitCode == 1, "\(result.stderr)")
        #expect(result.stderr.contains("node 'probe'") && result.stderr.contains("probe.lua:3: time limit exceeded: a call ran longer than 2 s"), "\(result.stderr)")
    }

    @Test(arguments: ["exec", "query"])
    func aRunawayPostgresStatementIsCancelledAtTheTimeLimit(_ call: String) throws {
        let pg = try PostgresCluster.shared()
        let dsn = try pg.createDatabase("runaway")
        let marker = "runaway_\(call)_\(UUID().uuidString.prefix(8))"
        let started = Date()
        let (result, _) = try run("""
            schema = { dsn = { type = "secret", required = true } }
            function run()
              local db = sql.connect(config.dsn)
              local rows = db:\(call)("select pg_sleep(120) as \(marker)")
              if type(rows) == "function" then for _ in rows do end end
            end
            """, config: #"{ name = "probe", time_limit = 2, dsn = "\#(dsn)" }"#, killAfter: 100)
        #expect(Date().timeIntervalSince(started) < 20, "the statement ran past the time limit")
        #expect(result.exitCode == 1, "\(result.stderr)")
        // exec fails on line 4; a query fails where its rows are read (line 5), unless the server was slow to describe them.
        let line = ["probe.lua:4: ", "probe.lua:5: "].first { result.stderr.contains($0 + "time limit exceeded: a call ran longer than 2 s") }
        #expect(result.stderr.contains("node 'probe'") && line != nil, "\(result.stderr)")
        let running = try pg.psql("select count(*) from pg_stat_activity where query like '%\(marker)%' and pid <> pg_backend_pid()", database: "postgres")
        #expect(running.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "the server stopped the statement")
    }
}
