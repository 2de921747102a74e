import Foundation
import Testing
import TestSupport

/// A stop signal ends a database statement that waits on the server (a `pg_sleep`, a lock): the
/// run exits 130 or 143 within seconds, publishes nothing and stays resumable, and the server
/// stops running the statement at once rather than carrying on after the client left.
@Suite(.serialized) struct SQLSignalTests {
    /// The stop is prompt however long the statement would take (the waits below last a minute).
    static let prompt = 10.0

    /// A database whose `delay` table holds how long the statements below sleep.
    struct Database {
        let pg: PostgresCluster
        let name: String
        let dsn: String

        init(seconds: Int) throws {
            pg = try PostgresCluster.shared()
            dsn = try pg.createDatabase("signal")
            name = pg.database(in: dsn)
            try psql("create table delay (seconds int); insert into delay values (\(seconds))")
        }

        @discardableResult
        func psql(_ sql: String) throws -> String {
            try pg.psql(sql, database: name).trimmingCharacters(in: .newlines)
        }

        /// How many other sessions of the database run a statement matching `filter`.
        func running(_ filter: String) -> Int {
            let count = try? psql("""
                select count(*) from pg_stat_activity
                where datname = current_database() and pid <> pg_backend_pid() and state = 'active' and \(filter)
                """)
            return count.flatMap { Int($0) } ?? -1
        }

        /// Waits (up to 5 s) until no session runs a statement matching `filter`; true if none does.
        func stopsRunning(_ filter: String) -> Bool {
            let deadline = Date().addingTimeInterval(5)
            while running(filter) != 0 && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            return running(filter) == 0
        }

        /// Waits (up to 30 s) until a session runs a statement matching `filter`; true if one does.
        func startsRunning(_ filter: String) -> Bool {
            let deadline = Date().addingTimeInterval(30)
            while running(filter) < 1 && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            return running(filter) > 0
        }
    }

    static let sleeping = "query like '%pg_sleep%'"
    static let waitingForALock = "wait_event_type = 'Lock'"

    /// Runs `pipeline.lua` in `dir`, sends `signal` once `filter` shows its statement on the
    /// server, and checks how the run ended and that the server let go of the statement.
    func stopWhileWaiting(_ dir: URL, _ db: Database, signal: Int32, filter: String,
                          environment: [String: String?] = [:]) throws {
        let stopped = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir, signal: (signal, 0),
                                            ready: { db.running(filter) > 0 }, killAfter: 240, environment: environment)
        let name = signal == SIGTERM ? "SIGTERM" : "SIGINT"
        #expect(stopped.exitCode == 128 + signal, "\(stopped.stderr)")
        #expect(try #require(stopped.exitedAfterSignal) < Self.prompt, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("interrupted by \(name): progress up to the last checkpoint is saved"), "\(stopped.stderr)")
        #expect(!stopped.stderr.contains(PostgresCluster.password))
        let released = db.stopsRunning(filter)
        #expect(released, "the server still runs the statement after the run stopped")
        let state = try LuaflowBinary.run(["state", "show", "pipeline.lua", "--json"], in: dir, environment: environment)
        #expect(state.stdout.contains(#""status":"interrupted""#), "\(state.stdout)\(state.stderr)")
    }

    /// After `stopWhileWaiting`: nothing reached `out.jsonl`, and without the delay the next run
    /// writes the records `ids`.
    func resumesWithoutTheDelay(_ dir: URL, _ db: Database, ids: [Int]) throws {
        #expect(!dir.exists("out.jsonl"))
        try db.psql("update delay set seconds = 0")
        let rerun = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir, killAfter: 60)
        #expect(rerun.exitCode == 0, "\(rerun.stderr)")
        #expect(try dir.ids(in: "out.jsonl") == ids)
    }

    @Test func sqlModuleQuery() async throws {
        try await onThread {
            let db = try Database(seconds: 60)
            let dir = try LuaflowBinary.workspace()
            try dir.write("in.jsonl", "{\"id\": 1}\n{\"id\": 2}\n")
            try dir.write("wait.lua", """
                schema = { dsn = { type = "secret", required = true } }
                local db
                function init() db = sql.connect(config.dsn) end
                function run(r)
                  for row in db:query("select pg_sleep(seconds) from delay") do end
                  return r
                end
                """)
            try dir.write("pipeline.lua", """
                network { { source.file { path = "in.jsonl" }, transform("wait.lua", { dsn = "\(db.dsn)" }), sink.file { path = "out.jsonl" } } }
                """)
            try stopWhileWaiting(dir, db, signal: SIGINT, filter: Self.sleeping)
            try resumesWithoutTheDelay(dir, db, ids: [1, 2])
        }
    }

    @Test func sourcePostgresQuery() async throws {
        try await onThread {
            let db = try Database(seconds: 60)
            let dir = try LuaflowBinary.workspace()
            try dir.write("pipeline.lua", """
                network { { source.postgres { name = "rows", dsn = "\(db.dsn)",
                                              query = "select g as id from delay, pg_sleep(seconds), generate_series(1, 3) g" },
                            sink.file { path = "out.jsonl" } } }
                """)
            try stopWhileWaiting(dir, db, signal: SIGTERM, filter: Self.sleeping)
            try resumesWithoutTheDelay(dir, db, ids: [1, 2, 3])
        }
    }

    /// The sink's load waits for a lock another session holds on its table.
    @Test func sinkPostgresLoad() async throws {
        try await onThread {
            let db = try Database(seconds: 60)
            let dir = try LuaflowBinary.workspace()
            let sink = #"sink.postgres { name = "db", dsn = "env:PG_DSN", schema = "raw", table = "users" }"#
            try dir.write("first.jsonl", "{\"id\": 1}\n{\"id\": 2}\n")
            try dir.write("in.jsonl", "{\"id\": 3}\n{\"id\": 4}\n")
            try dir.write("first.lua", #"network { { source.file { path = "first.jsonl" }, \#(sink) } }"#)
            try dir.write("pipeline.lua", #"network { { source.file { path = "in.jsonl" }, \#(sink) } }"#)
            let environment = ["PG_DSN": db.dsn]
            let first = try LuaflowBinary.run(["run", "first.lua", "-q"], in: dir, environment: environment)
            #expect(first.exitCode == 0, "\(first.stderr)")

            let holdsTheLock = "wait_event = 'PgSleep'"
            let locker = try db.pg.psqlInBackground("begin; lock table raw.users; select pg_sleep(60); commit", database: db.name)
            let locked = db.startsRunning(holdsTheLock)
            #expect(locked)
            try stopWhileWaiting(dir, db, signal: SIGTERM, filter: Self.waitingForALock, environment: environment)
            try db.psql("select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and \(holdsTheLock)")
            var status: Int32 = 0
            while waitpid(locker, &status, 0) < 0 && errno == EINTR {}

            let ids = "select string_agg(id::text, ',' order by id) from raw.users"
            #expect(try db.psql(ids) == "1,2")
            let rerun = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir, killAfter: 60, environment: environment)
            #expect(rerun.exitCode == 0, "\(rerun.stderr)")
            #expect(try db.psql(ids) == "1,2,3,4")
        }
    }
}
