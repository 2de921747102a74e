import Foundation
import GRDB
import LuaflowCore
import LuaflowSQL
import TestSupport
import Testing

/// The `sql` module in a node's script: lookups with bound parameters, statements, transactions
/// that roll back on error, against PostgreSQL and SQLite.
@Suite struct SQLLuaModuleTests {
    static let lookup = """
        schema = { dsn = { type = "secret", required = true } }
        local db
        function init() db = sql.connect(config.dsn) end
        function run(r)
          for row in db:query("select name, tags from users where id = :id", { id = r.id }) do
            r.name, r.tags = row.name, row.tags
          end
          return r
        end
        """

    @Test func aTransformLooksUpRowsInPostgres() throws {
        let pg = try PostgresCluster.shared()
        let dsn = try pg.createDatabase("lookup")
        try pg.psql("create table users (id int, name text, tags text[]); insert into users values (1, 'ada', '{a,b}'), (2, 'x''); drop table users; --', '{}')",
                    database: pg.database(in: dsn))
        let dir = try PipelineDirectory()
        try dir.write("lookup.lua", Self.lookup)
        try dir.write("pipeline.lua", """
            network { { source.list { items = { { id = 1 }, { id = 2 }, { id = 3 } } },
                        transform("lookup.lua", { dsn = "\(dsn)" }), sink.file { path = "out.jsonl" } } }
            """)
        try dir.run()
        let records = try dir.lines("out.jsonl").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(records.map { $0["name"] as? String } == ["ada", "x'); drop table users; --", nil])
        #expect(records.first?["tags"] as? [String] == ["a", "b"])
        #expect(try pg.psql("select count(*) from users", database: pg.database(in: dsn)) == "2")
    }

    @Test func execAndTransactionsInSQLite() throws {
        let dir = try PipelineDirectory()
        try dir.write("load.lua", """
            local db
            function init()
              db = sql.connect("app.db")
              db:exec("create table if not exists seen (id integer primary key, note text)")
            end
            function run(r)
              local ok, err = pcall(db.transaction, db, function(tx)
                tx:exec("insert into seen values (?, ?)", { r.id, "first" })
                if r.id == 2 then error("refused " .. r.id) end
              end)
              r.ok, r.err = ok, err and tostring(err):match("refused %d") or nil
              r.changed = db:exec("update seen set note = :note where id = :id", { note = "second", id = r.id })
              return r
            end
            """)
        try dir.write("pipeline.lua", """
            network { { source.list { items = { { id = 1 }, { id = 2 } } }, transform("load.lua"), sink.file { path = "out.jsonl" } } }
            """)
        try dir.run()
        let records = try dir.lines("out.jsonl").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! NSDictionary }
        #expect(records == [["id": 1, "ok": true, "changed": 1], ["id": 2, "ok": false, "err": "refused 2", "changed": 0]], "\(records)")
        let rows = try DatabaseQueue(path: dir.path("app.db")).read { try Row.fetchAll($0, sql: "select id, note from seen") }
        #expect(rows.map { $0["note"] as String } == ["second"], "the failed transaction left nothing")
    }

    @Test func aQueryLeftUnfinishedDoesNotBlockTheNextStatement() throws {
        let pg = try PostgresCluster.shared()
        let dsn = try pg.createDatabase("unfinished")
        let dir = try PipelineDirectory()
        try dir.write("early.lua", """
            schema = { dsn = { type = "secret", required = true } }
            local db
            function init() db = sql.connect(config.dsn) end
            function run(r)
              for row in db:query("select g from generate_series(1, 5000) g") do r.first = row.g break end
              r.count = db:exec("select 1 from generate_series(1, 3)")
              return r
            end
            """)
        try dir.write("pipeline.lua", """
            network { { source.list { items = { { id = 1 } } }, transform("early.lua", { dsn = "\(dsn)" }), sink.file { path = "out.jsonl" } } }
            """)
        try dir.run()
        #expect(try dir.lines("out.jsonl") == [#"{"id":1,"first":1,"count":3}"#])
    }
}
