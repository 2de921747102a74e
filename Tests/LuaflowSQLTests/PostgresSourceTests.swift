import Foundation
import LuaflowCore
import LuaflowSQL
import TestSupport
import Testing

/// `source.postgres` against the test cluster: every type mapped to JSON, incremental runs that
/// read only what is new, in cursor order, and failures that name the node and its line.
@Suite struct PostgresSourceTests {
    static let typedTable = """
        create type mood as enum ('happy', 'sad');
        create table typed (id int primary key, small smallint, big bigint, real_v real, dbl double precision,
          num numeric(14,4), flag boolean, name text, code varchar(5), ch char(3), at timestamptz, local_at timestamp,
          day date, clock time, span interval, uid uuid, raw bytea, doc json, docb jsonb, tags text[], grid int[][],
          addr inet, feeling mood, nothing text);
        insert into typed values (1, -2, 9007199254740993, 1.5, 0.1, -12345678.0012, true, E'a "quoted"\\nline', 'xy', 'ab',
          '2024-01-02 03:04:05.123456+00', '2024-01-02 03:04:05', '2024-02-29', '13:14:15.5', '1 year 2 mons 3 days 04:05:06.5',
          'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\\x00ff10', '{"a": [1, 2]}', '{"b": null}', '{"x","y"}', '{{1,2},{3,4}}',
          '192.168.0.1', 'happy', null);
        """

    @Test func mapsEveryTypeToJSON() throws {
        let pg = try PostgresCluster.shared()
        let dsn = try pg.createDatabase("types")
        try pg.psql(Self.typedTable, database: pg.database(in: dsn))
        let dir = try PipelineDirectory()
        try dir.write("pipeline.lua", """
            network { { source.postgres { dsn = "\(dsn)", table = "typed" }, sink.file { path = "out.jsonl" } } }
            """)
        try dir.run()
        #expect(try dir.lines("out.jsonl") == [#"""
            {"id":1,"small":-2,"big":9007199254740993,"real_v":1.5,"dbl":0.1,"num":"-12345678.0012","flag":true,\#
            "name":"a \"quoted\"\nline","code":"xy","ch":"ab ","at":"2024-01-02T03:04:05.123456Z","local_at":"2024-01-02T03:04:05",\#
            "day":"2024-02-29","clock":"13:14:15.5","span":"P1Y2M3DT4H5M6.5S","uid":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",\#
            "raw":"AP8Q","doc":{"a": [1, 2]},"docb":{"b": null},"tags":["x","y"],"grid":[[1,2],[3,4]],"addr":"192.168.0.1",\#
            "feeling":"happy","nothing":null}
            """#])
    }

    @Test func numericAsNumberKeepsEveryDigit() throws {
        let pg = try PostgresCluster.shared()
        let dsn = try pg.createDatabase("numeric")
        try pg.psql("create table n (v numeric); insert into n values (12345678901234567890.000000000001), (-0.5), (0), ('NaN')",
                    database: pg.database(in: dsn))
        let dir = try PipelineDirectory()
        try dir.write("pipeline.lua", """
            network { { source.postgres { dsn = "\(dsn)", query = "select v from n", numeric = "number" }, sink.file { path = "out.jsonl" } } }
            """)
        try dir.run()
        #expect(try dir.lines("out.jsonl") == [#"{"v":12345678901234567890.000000000001}"#, #"{"v":-0.5}"#, #"{"v":0}"#, #"{"v":"NaN"}"#])
    }

    @Test func incrementalRunsReadOnlyNewRowsInCursorOrder() throws {
        let pg = try PostgresCluster.shared()
        let dsn = try pg.createDatabase("incremental")
        let db = pg.database(in: dsn)
        // Ties on updated_at across the fetch size of 2: a batch never ends inside a tie.
        try pg.psql("""
            create table orders (id int, updated_at timestamptz);
            insert into orders values (3, '2024-01-01 10:00:02+00'), (1, '2024-01-01 10:00:00+00'), (2, '2024-01-01 10:00:01+00'),
              (4, '2024-01-01 10:00:02+00'), (5, '2024-01-01 10:00:02+00'), (6, '2024-01-01 10:00:03.5+00');
            """, database: db)
        let dir = try PipelineDirectory()
        try dir.write("pipeline.lua", """
            network { { source.postgres { name = "orders", dsn = "\(dsn)", fetch_size = 2, checkpoint_every = 2,
                          query = "select id, updated_at from orders where updated_at > :cursor order by updated_at, id",
                          incremental = { cursor_field = "updated_at", initial_value = "2024-01-01T10:00:00Z" } },
                        sink.file { path = "out.jsonl" } } }
            """)
        try dir.run(state: true)
        #expect(try ids(dir) == [2, 3, 4, 5, 6])
        try pg.psql("insert into orders values (7, '2024-01-01 10:00:03.500001+00'), (8, '2024-01-01 10:00:01+00')", database: db)
        try dir.run(state: true)
        #expect(try ids(dir) == [7], "only the row after the committed cursor 10:00:03.5")
    }

    @Test func aTableIsReadWithItsCursorAndOrder() throws {
        let pg = try PostgresCluster.shared()
        let dsn = try pg.createDatabase("table")
        let db = pg.database(in: dsn)
        try pg.psql("create schema app; create table app.events (seq bigint, body text); insert into app.events select g, 'e' || g from generate_series(1, 2500) g",
                    database: db)
        let dir = try PipelineDirectory()
        try dir.write("pipeline.lua", """
            network { { source.postgres { dsn = "\(dsn)", schema = "app", table = "events", incremental = { cursor_field = "seq" } },
                        sink.file { path = "out.jsonl" } } }
            """)
        try dir.run(state: true)
        #expect(try ids(dir, field: "seq") == Array(1...2500))
        try pg.psql("insert into app.events values (2501, 'new')", database: db)
        try dir.run(state: true)
        #expect(try ids(dir, field: "seq") == [2501])
    }

    @Test func aWrongPasswordNamesTheNodeAndLineButNotThePassword() throws {
        let pg = try PostgresCluster.shared()
        let wrong = "not-the-pg-password-31"
        let dir = try PipelineDirectory()
        try dir.write("pipeline.lua", """
            local orders = source.postgres { name = "orders", dsn = "\(pg.dsn(password: wrong))", table = "t" }
            network { { orders, sink.file { path = "out.jsonl" } } }
            """)
        let failure = try #require(dir.failure())
        #expect(failure.contains("node 'orders' (read): [auth] cannot log in to postgres://luaflow:***@127.0.0.1:\(pg.port)/luaflow: password authentication failed for user \"luaflow\" (SQLSTATE 28P01) (source.postgres declared at pipeline.lua:1)"),
                "\(failure)")
        #expect(!failure.contains(wrong))
    }

    @Test func aColumnThatIsNotTheCursorIsNamed() throws {
        let pg = try PostgresCluster.shared()
        let dsn = try pg.createDatabase("nocursor")
        try pg.psql("create table t (id int); insert into t values (1)", database: pg.database(in: dsn))
        let dir = try PipelineDirectory()
        try dir.write("pipeline.lua", """
            network { { source.postgres { name = "t", dsn = "\(dsn)", query = "select id from t where id > :cursor order by id",
                                          incremental = { cursor_field = "updated", initial_value = 0 } },
                        sink.file { path = "out.jsonl" } } }
            """)
        let failure = try #require(dir.failure())
        #expect(failure.contains("incremental.cursor_field \"updated\" is not a column of the result (columns: id)"), "\(failure)")
    }

    private func ids(_ dir: PipelineDirectory, field: String = "id") throws -> [Int] {
        try dir.lines("out.jsonl").map { (try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any])[field] as! Int }
    }
}
