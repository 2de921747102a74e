import Foundation
import GRDB
import LuaflowCore
import LuaflowSQL
import Testing

/// `source.sqlite`: a table or a query read through GRDB, values mapped to JSON, incremental runs
/// that read only the rows after the committed cursor.
@Suite struct SQLiteSourceTests {
    static func database(_ dir: PipelineDirectory, _ sql: String) throws {
        let queue = try DatabaseQueue(path: dir.path("app.db"))
        try queue.write { try $0.execute(sql: sql) }
    }

    @Test func mapsStorageClassesToJSON() throws {
        let dir = try PipelineDirectory()
        try Self.database(dir, """
            create table t (i integer, r real, s text, b blob, n text);
            insert into t values (42, 2.5, 'say "hi"', x'00ff10', null);
            """)
        try dir.write("pipeline.lua", """
            network { { source.sqlite { path = "app.db", table = "t" }, sink.file { path = "out.jsonl" } } }
            """)
        try dir.run()
        #expect(try dir.lines("out.jsonl") == [#"{"i":42,"r":2.5,"s":"say \"hi\"","b":"AP8Q","n":null}"#])
    }

    @Test func incrementalQueryReadsOnlyNewRows() throws {
        let dir = try PipelineDirectory()
        try Self.database(dir, """
            create table events (id integer, at text);
            insert into events values (1, '2024-01-01T00:00:01Z'), (2, '2024-01-01T00:00:02Z'), (3, '2024-01-01T00:00:02Z');
            """)
        try dir.write("pipeline.lua", """
            network { { source.sqlite { name = "events", path = "app.db", fetch_size = 1,
                          query = "select id, at from events where at > :cursor order by at, id",
                          incremental = { cursor_field = "at", initial_value = "2024-01-01T00:00:00Z" } },
                        sink.file { path = "out.jsonl" } } }
            """)
        try dir.run(state: true)
        #expect(try dir.lines("out.jsonl").count == 3)
        try Self.database(dir, "insert into events values (4, '2024-01-01T00:00:03Z'), (5, '2024-01-01T00:00:01Z')")
        try dir.run(state: true)
        #expect(try dir.lines("out.jsonl") == [#"{"id":4,"at":"2024-01-01T00:00:03Z"}"#])
    }

    @Test func aMissingFileIsAConfigError() throws {
        let dir = try PipelineDirectory()
        try dir.write("pipeline.lua", """
            network { { source.sqlite { name = "db", path = "missing.db", table = "t" }, sink.file { path = "out.jsonl" } } }
            """)
        let failure = try #require(dir.failure())
        #expect(failure.contains("node 'db' (config): SQLite database missing.db not found (source.sqlite declared at pipeline.lua:1)"), "\(failure)")
    }
}

/// `luaflow discover source.sqlite` in-process: tables, columns, a sampled schema.
@Suite struct SQLiteDiscoveryTests {
    @Test func listsTablesAndColumns() throws {
        let dir = try PipelineDirectory()
        try SQLiteSourceTests.database(dir, """
            create table users (id integer not null, name text);
            insert into users values (1, 'ada'), (2, null);
            create table empty (x real);
            """)
        let streams = try ConnectorDiscovery.discover(script: "source.sqlite", configFile: Array("{}".utf8),
                                                      sets: [("path", dir.path("app.db"))], sample: 10, extensions: SQLExtensions.extensions())
        #expect(streams.map(\.name) == ["empty", "users"])
        #expect(streams[1].columns == [DiscoveredColumn(name: "id", type: "INTEGER", nullable: false),
                                       DiscoveredColumn(name: "name", type: "TEXT", nullable: true)])
        #expect(streams[1].records == 2)
        #expect(streams[1].schema.required == ["id", "name"])
        #expect(streams[1].schema.properties["name"]?.label == "string | null")
    }
}
