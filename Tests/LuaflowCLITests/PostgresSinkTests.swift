import Foundation
import Testing
import TestSupport

/// `sink.postgres` end to end through the built binary, against a throwaway cluster
/// (``PostgresCluster``): types, the three dispositions, `luaflow check`, a lost connection in
/// the middle of a load, redacted errors, and exactly once after 100 kills.
@Suite(.serialized) struct PostgresSinkTests {
    static func workspace(_ records: [String], sink: String) throws -> URL {
        let dir = try LuaflowBinary.workspace()
        try dir.write("in.jsonl", records.joined(separator: "\n") + "\n")
        try dir.write("pipeline.lua", """
        network { { source.file { path = "in.jsonl" }, \(sink) } }
        """)
        return dir
    }

    static func run(_ dir: URL, dsn: String, _ extra: [String] = []) throws -> LuaflowBinary.Result {
        try LuaflowBinary.run(["run", "pipeline.lua", "-q"] + extra, in: dir, environment: ["PG_DSN": dsn])
    }

    /// A fresh database and a `psql` on it.
    static func database() throws -> (dsn: String, psql: @Sendable (String) throws -> String) {
        let pg = try PostgresCluster.shared()
        let dsn = try pg.createDatabase("sink")
        let name = pg.database(in: dsn)
        return (dsn, { try pg.psql($0, database: name).trimmingCharacters(in: .newlines) })
    }

    @Test func createsTheTableWithPostgresTypesAndKeepsEveryValuesMeaning() throws {
        let (dsn, psql) = try Self.database()
        let dir = try Self.workspace([
            #"{"id": 1, "score": 2.5, "ok": true, "name": "Ada\t\"A\"\\", "tags": [], "meta": {}, "at": "2026-11-30T12:00:00Z", "none": null}"#,
            #"{"id": 2, "score": 3, "ok": false, "name": "Bø", "tags": ["x"], "meta": {"k": [1, null]}, "at": "2026-11-30T13:00:00+01:00", "none": null}"#,
        ], sink: #"sink.postgres { name = "db", dsn = "env:PG_DSN", schema = "raw", table = "users", infer_timestamps = true }"#)
        let result = try Self.run(dir, dsn: dsn)
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(try psql("select string_agg(column_name || ' ' || data_type, ', ' order by ordinal_position) from information_schema.columns where table_schema = 'raw' and table_name = 'users'")
                == "id bigint, score double precision, ok boolean, name text, tags jsonb, meta jsonb, at timestamp with time zone, _luaflow_load_id bigint")
        #expect(try psql("select id || '|' || score || '|' || ok || '|' || name || '|' || tags || '|' || meta || '|' || extract(epoch from at)::bigint from raw.users order by id")
                == "1|2.5|true|Ada\t\"A\"\\|[]|{}|1796040000\n2|3|false|Bø|[\"x\"]|{\"k\": [1, null]}|1796040000")
        #expect(try psql("select sum(records) from raw._luaflow_loads") == "2")
    }

    /// examples/postgres as its README runs it: the users job upserted into raw.active_users.
    @Test func theExampleLoadsTheUsersJob() throws {
        let (dsn, psql) = try Self.database()
        let dir = try LuaflowBinary.workspace(copying: "postgres")
        for _ in 1...2 {
            let result = try Self.run(dir, dsn: dsn)
            #expect(result.exitCode == 0, "\(result.stderr)")
        }
        #expect(try psql("select count(*) || ' ' || count(*) filter (where adult) || ' ' || min(name) from raw.active_users") == "10 9 ADA ALANSON")
        #expect(try psql("select data_type from information_schema.columns where table_name = 'active_users' and column_name = 'tags'") == "jsonb")
    }

    @Test func replaceSwapsTheTableInOnlyWhenTheRunSucceeds() throws {
        let (dsn, psql) = try Self.database()
        let dir = try Self.workspace([#"{"id": 1}"#, #"{"id": 2}"#], sink: #"sink.postgres { dsn = "env:PG_DSN", table = "t", write_disposition = "replace" }"#)
        #expect(try Self.run(dir, dsn: dsn).exitCode == 0)
        try dir.write("in.jsonl", #"{"id": 3}"# + "\n{broken\n")
        #expect(try Self.run(dir, dsn: dsn).exitCode == 1)
        #expect(try psql("select string_agg(id::text, ',' order by id) from t") == "1,2")
        try dir.write("in.jsonl", #"{"id": 3, "extra": "x"}"# + "\n")
        #expect(try Self.run(dir, dsn: dsn, ["--full-refresh"]).exitCode == 0)
        #expect(try psql("select string_agg(id || extra, ',') from t") == "3x")
        #expect(try psql("select count(*) from pg_tables where tablename like '_luaflow_new%'") == "0")
    }

    @Test func mergeUpsertsTheLastRecordOfAKeyOrTheNewestByDedupSort() throws {
        let (dsn, psql) = try Self.database()
        let dir = try Self.workspace([#"{"id": 1, "at": 1, "v": "a"}"#, #"{"id": 2, "at": 1, "v": "b"}"#, #"{"id": 1, "at": 2, "v": "c"}"#],
                                     sink: #"sink.postgres { dsn = "env:PG_DSN", table = "t", write_disposition = "merge", primary_key = { "id" } }"#)
        #expect(try Self.run(dir, dsn: dsn).exitCode == 0)
        try dir.write("in.jsonl", #"{"id": 2, "at": 9, "v": "new"}"# + "\n" + #"{"id": 2, "at": 3, "v": "old"}"# + "\n")
        try dir.write("pipeline.lua", """
        network { { source.file { path = "in.jsonl" }, sink.postgres { dsn = "env:PG_DSN", table = "t", write_disposition = "merge", primary_key = { "id" }, dedup_sort = "at" } } }
        """)
        let second = try Self.run(dir, dsn: dsn)
        #expect(second.exitCode == 0, "\(second.stderr)")
        #expect(try psql("select string_agg(id || '=' || v, ',' order by id) from t") == "1=c,2=new")
    }

    @Test func checkReportsTheServerAndThePrivileges() throws {
        let (dsn, _) = try Self.database()
        let dir = try Self.workspace([], sink: #"sink.postgres { name = "db", dsn = "env:PG_DSN", schema = "raw", table = "t" }"#)
        let check = try LuaflowBinary.run(["check", "pipeline.lua"], in: dir, environment: ["PG_DSN": dsn])
        #expect(check.exitCode == 0, "\(check.stderr)")
        #expect((check.stdout + check.stderr).contains("PostgreSQL 1") && (check.stdout + check.stderr).contains("schema raw writable (create, insert)"),
                "\(check.stdout)\(check.stderr)")
    }

    @Test func aBadPasswordIsReportedWithoutIt() throws {
        let pg = try PostgresCluster.shared()
        let dsn = pg.dsn(password: "wrong-secret-123")
        let dir = try Self.workspace([#"{"id": 1}"#], sink: #"sink.postgres { name = "db", dsn = "env:PG_DSN", table = "t" }"#)
        let result = try Self.run(dir, dsn: dsn)
        #expect(result.exitCode != 0)
        #expect(result.stderr.contains("node 'db'") && result.stderr.contains("[auth]"), "\(result.stderr)")
        #expect(!result.stderr.contains("wrong-secret-123"), "\(result.stderr)")
    }

    /// The spool that keeps the open load for a reconnect cannot be written: the error names the
    /// node, the file and the reason, not a Foundation error code.
    @Test func aTemporaryDirectoryThatCannotHoldTheLoadIsNamedInTheError() throws {
        let (dsn, psql) = try Self.database()
        let dir = try Self.workspace([#"{"id": 1}"#], sink: #"sink.postgres { name = "db", dsn = "env:PG_DSN", table = "t" }"#)
        let missing = dir.appendingPathComponent("no-such-tmp").path
        let result = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir, environment: ["PG_DSN": dsn, "TMPDIR": missing])
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("node 'db'") && result.stderr.contains("cannot create \(missing)/luaflow-load-"), "\(result.stderr)")
        #expect(result.stderr.contains("No such file or directory") && result.stderr.contains("set TMPDIR"), "\(result.stderr)")
        #expect(!result.stderr.contains("NSCocoaErrorDomain") && !result.stderr.contains("Code="), "\(result.stderr)")
        #expect(try psql("select count(*) from information_schema.tables where table_name = 't' and table_schema = 'public'") == "0"
                || (try psql("select count(*) from t")) == "0")
    }

    /// The server drops the sink's connection in the middle of a load: the sink reconnects and
    /// sends the load again; the run succeeds with every record once.
    @Test func aConnectionLostInTheMiddleOfALoadIsResumed() throws {
        let (dsn, psql) = try Self.database()
        let dir = try LuaflowBinary.workspace()
        try dir.write("slow.lua", """
        local n = 0
        function run()
          n = n + 1
          if n > 40 then return nil end
          if n == 20 then io.open("halfway", "w"):close() end
          local t = os.clock() + 0.03
          while os.clock() < t do end
          return { id = n }
        end
        """)
        try dir.write("pipeline.lua", """
        network { { source("slow.lua", { batch_size = 1 }), sink.postgres { name = "db", dsn = "env:PG_DSN", table = "t" } } }
        """)
        let halfway = dir.appendingPathComponent("halfway").path
        let killer = Thread {
            let deadline = Date().addingTimeInterval(60)
            while !FileManager.default.fileExists(atPath: halfway) && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
            _ = try? psql("select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()")
        }
        killer.start()
        let result = try Self.run(dir, dsn: dsn, ["-v"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stderr.contains("lost the connection during a load"), "\(result.stderr)")
        #expect(try psql("select count(*) || ' ' || count(distinct id) from t") == "40 40")
    }

    @Test(arguments: ["append", "merge"])
    func sigkillAtRandomMomentsKeepsEveryRecordOnce(disposition: String) async throws {
        try await onThread {
            let (dsn, psql) = try Self.database()
            let key = disposition == "merge" ? #", primary_key = { "key" }"# : ""
            let outcome = try DatabaseSinkKills.run(sink: #"sink.postgres { dsn = "\#(dsn)", table = "t", write_disposition = "\#(disposition)"\#(key) }"#,
                                                    kills: 100, seed: disposition == "merge" ? 21 : 22, delays: 0.05...0.5)
            #expect(outcome.last.exitCode == 0, "\(outcome.last.stderr)")
            #expect(outcome.killedMidRun >= 50, "most kills must land inside a run (\(outcome.killedMidRun) did)")
            func pairs(_ sql: String) throws -> [(String, Int)] {
                try psql(sql).split(separator: "\n").map { line in
                    let parts = line.split(separator: "|")
                    return (String(parts[0]), Int(parts[1])!)
                }
            }
            #expect(try psql("select count(*) from t where _luaflow_load_id not in (select load_id from _luaflow_loads)") == "0")
            try DatabaseSinkKills.verify(disposition: disposition,
                                         rows: disposition == "append" ? try pairs("select l.run, t.id from t join _luaflow_loads l on l.load_id = t._luaflow_load_id") : [],
                                         loads: try pairs("select run, sum(records) from _luaflow_loads group by run"),
                                         merged: try pairs("select key, v from t").map { (Int($0.0)!, $0.1) })
        }
    }
}
