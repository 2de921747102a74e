import Foundation
import GRDB
import Testing
import TestSupport

/// Field names from records are data: through `sink.postgres` and `sink.sqlite` (the built binary,
/// a real PostgreSQL and a real SQLite file) every hostile name becomes exactly that column, on the
/// first run and the next, and none runs SQL; names no database can hold fail naming the node.
@Suite(.serialized) struct HostileFieldNameTests {
    /// Where a `COPY ... FROM PROGRAM` injection would leave a file.
    static let programCanary = "/tmp/lfi-\(UUID().uuidString.prefix(8))"

    static var names: [String] {
        [#"a"b"#, #"x"); DROP TABLE canary; --"#, #"x") FROM PROGRAM 'touch \#(programCanary)' --"#,
         #"y"; CREATE TABLE injected (x int); --"#, "it's", "semi;colon", "dash--dash", "new\nline", #"back\slash"#,
         "ünïcødé ☃ 𝄞", "q\"\u{301}", "é", "e\u{301}", #"""#, #""""#, "tab\tname", String(repeating: "ü", count: 31) + "x"]
    }

    /// `{"id": id, name: "v<i>"...}` for `names`.
    static func record(_ id: Int, _ names: [String]) -> String {
        JSONText.object([("id", "\(id)")] + names.enumerated().map { ($1, JSONText.string("v\($0)")) })
    }

    static func workspace(_ records: [String], sink: String) throws -> URL {
        let dir = try LuaflowBinary.workspace()
        try dir.write("in.jsonl", records.joined(separator: "\n") + "\n")
        try dir.write("pipeline.lua", "network { { source.file { path = \"in.jsonl\" }, \(sink) } }")
        return dir
    }

    static func hex(_ text: String) -> String { text.utf8.map { String(format: "%02x", $0) }.joined() }

    @Test func postgresLoadsEveryHostileNameAsExactlyThatColumn() throws {
        let pg = try PostgresCluster.shared()
        let dsn = try pg.createDatabase("hostile")
        let psql = { (sql: String) in try pg.psql(sql, database: pg.database(in: dsn)).trimmingCharacters(in: .newlines) }
        _ = try psql("create table canary (x int)")
        let sink = #"sink.postgres { name = "db", dsn = "env:PG_DSN", schema = 'raw"s', table = 't"1' }"#
        let dir = try Self.workspace([Self.record(1, Self.names), #"{"id": 2}"#], sink: sink)
        let first = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir, environment: ["PG_DSN": dsn])
        #expect(first.exitCode == 0, "\(first.stderr)")
        let columns = """
            select string_agg(encode(convert_to(column_name, 'UTF8'), 'hex'), ',' order by ordinal_position)
            from information_schema.columns where table_schema = 'raw"s' and table_name = 't"1'
            """
        #expect(try psql(columns) == (["id"] + Self.names + ["_luaflow_load_id"]).map(Self.hex).joined(separator: ","))
        let values = """
            select string_agg(encode(convert_to(key, 'UTF8'), 'hex') || '=' || value, ',' order by n)
            from "raw""s"."t""1", json_each_text(row_to_json("t""1")) with ordinality as j(key, value, n)
            where id = 1 and key not in ('id', '_luaflow_load_id')
            """
        #expect(try psql(values) == Self.names.enumerated().map { "\(Self.hex($1))=v\($0)" }.joined(separator: ","))
        #expect(try psql(#"select count(*) from "raw""s"."t""1""#) == "2")
        #expect(try psql("select count(*) from canary") == "0", "the canary table is still there")
        #expect(try psql("select count(*) from pg_tables where tablename = 'injected'") == "0")
        #expect(!FileManager.default.fileExists(atPath: Self.programCanary), "COPY ran no program")

        // The next run reads the columns back from the catalog and adds one more hostile name.
        let added = #"z", "zz"#
        try dir.write("in.jsonl", Self.record(3, Self.names + [added]) + "\n")
        let second = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir, environment: ["PG_DSN": dsn])
        #expect(second.exitCode == 0, "\(second.stderr)")
        #expect(try psql(columns) == (["id"] + Self.names + ["_luaflow_load_id", added]).map(Self.hex).joined(separator: ","))
        #expect(try psql(#"select count(*) || ' ' || min("z"", ""zz") from "raw""s"."t""1""#) == "3 v\(Self.names.count)")
    }

    @Test func sqliteLoadsEveryHostileNameAsExactlyThatColumn() throws {
        let dir = try Self.workspace([Self.record(1, Self.names), #"{"id": 2}"#], sink: #"sink.sqlite { name = "db", path = "out.db", table = 't"1' }"#)
        let path = dir.appendingPathComponent("out.db").path
        try DatabaseQueue(path: path).write { try $0.execute(sql: "CREATE TABLE canary (x INTEGER)") }
        for run in 1...2 {
            let result = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
            #expect(result.exitCode == 0, "run \(run): \(result.stderr)")
        }
        try DatabaseQueue(path: path).read { db in
            let row = try #require(try Row.fetchOne(db, sql: #"SELECT * FROM "t""1" WHERE id = 1"#))
            #expect(row.columnNames.map(Self.hex) == (["id"] + Self.names + ["_luaflow_load_id"]).map(Self.hex))
            #expect(Array(row.databaseValues.dropFirst().dropLast()) == Self.names.indices.map { "v\($0)".databaseValue })
            #expect(try Int.fetchOne(db, sql: #"SELECT count(*) FROM "t""1""#) == 4)
            #expect(try Bool.fetchOne(db, sql: "SELECT count(*) = 1 FROM sqlite_master WHERE name = 'canary'") == true)
            #expect(try Bool.fetchOne(db, sql: "SELECT count(*) = 0 FROM sqlite_master WHERE name = 'injected'") == true)
        }
    }

    @Test(arguments: ["postgres", "sqlite"])
    func aFieldNameWithNulFailsNamingTheNodeAndTheField(_ database: String) throws {
        let records = [#"{"id": 1}"#, #"{"id": 2, "a\u0000b": 1}"#]
        let (dir, environment) = try Self.sinkWorkspace(database, records)
        let result = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir, environment: environment)
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("node 'db'") && result.stderr.contains(#"field name "a\0b" cannot be a column name: it contains a NUL byte"#),
                "\(result.stderr)")
    }

    @Test func twoPostgresNamesLongerThan63BytesFailInsteadOfSharingAColumn() throws {
        let prefix = String(repeating: "n", count: 63)
        let (dir, environment) = try Self.sinkWorkspace("postgres", [#"{"\#(prefix)a": 1, "\#(prefix)b": 2}"#])
        let result = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir, environment: environment)
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("node 'db'") && result.stderr.contains("field name \"\(prefix)a\" cannot be a column name: it is 64 bytes long and PostgreSQL keeps only the first 63 bytes"),
                "\(result.stderr)")
    }

    /// A workspace loading `records` into table t of `database`, and the environment of its run.
    static func sinkWorkspace(_ database: String, _ records: [String]) throws -> (URL, [String: String]) {
        if database == "sqlite" {
            return (try workspace(records, sink: #"sink.sqlite { name = "db", path = "out.db", table = "t" }"#), [:])
        }
        let dsn = try PostgresCluster.shared().createDatabase("hostile")
        return (try workspace(records, sink: #"sink.postgres { name = "db", dsn = "env:PG_DSN", table = "t" }"#), ["PG_DSN": dsn])
    }
}
