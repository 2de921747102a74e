import Foundation
import LuaflowCore

/// `luaflow discover source.postgres` / `source.sqlite`: every table (of `schema`, or of every
/// schema but the system's) with its columns, and a JSON schema inferred from its first rows.
enum SQLDiscovery {
    struct Settings: Decodable {
        var dsn: String?
        var path: String?
        var schema: String?
    }

    static func postgres(_ node: BuiltinNode, sample: Int, runtime: SQLRuntime) throws -> [DiscoveredStream] {
        try failing(node) {
            let settings = try JSONDecoder().decode(Settings.self, from: Data(node.configJSON))
            guard let text = settings.dsn else { throw SQLError(.configuration, "discover needs dsn (--set dsn=postgres://...)") }
            let reader = PostgresRowReader(session: PostgresSession(dsn: try PostgresDSN(text), runtime: runtime), numeric: .string)
            let catalog = try rows(reader, """
                select table_schema as s, table_name as t, column_name as c, data_type as type, is_nullable = 'YES' as nullable
                from information_schema.columns
                where table_schema not in ('pg_catalog', 'information_schema') and ($1::text is null or table_schema = $1)
                order by table_schema, table_name, ordinal_position
                """, [settings.schema.map(SQLValue.text) ?? .null])
            return try streams(catalog) { schema, table in
                let query = SQLSourceQuery(table: table, schema: schema, cursorField: nil, hasCursor: false, dialect: .postgres)
                return try rows(reader, query.sql + " limit \(sample)", [])
            } name: { schema, table in schema == "public" ? table : "\(schema).\(table)" }
        }
    }

    static func sqlite(_ node: BuiltinNode, sample: Int, runtime: SQLRuntime) throws -> [DiscoveredStream] {
        try failing(node) {
            let settings = try JSONDecoder().decode(Settings.self, from: Data(node.configJSON))
            guard let display = settings.path else { throw SQLError(.configuration, "discover needs path (--set path=app.db)") }
            let path = display.hasPrefix("/") ? display : node.pipeline.directory + "/" + display
            let reader = SQLiteRowReader(session: try SQLiteSession(path: path, displayPath: display, readOnly: true, runtime: runtime))
            let catalog = try rows(reader, """
                select '' as s, m.name as t, p.name as c, p.type as type, p."notnull" = 0 as nullable
                from sqlite_master m join pragma_table_info(m.name) p
                where m.type = 'table' and m.name not like 'sqlite_%' order by m.name, p.cid
                """, [])
            return try streams(catalog) { _, table in
                let query = SQLSourceQuery(table: table, schema: nil, cursorField: nil, hasCursor: false, dialect: .sqlite)
                return try rows(reader, query.sql + " limit \(sample)", [])
            } name: { _, table in table }
        }
    }

    /// One stream per table of `catalog` (rows of s, t, c, type, nullable), sampled by `sample`.
    private static func streams(_ catalog: [[String: Any]], sample: (String, String) throws -> [[String: Any]],
                                name: (String, String) -> String) throws -> [DiscoveredStream] {
        var tables: [(schema: String, table: String)] = []
        var streams: [DiscoveredStream] = []
        for row in catalog {
            let key = (schema: row["s"] as? String ?? "", table: row["t"] as? String ?? "")
            if tables.last.map({ $0 != key }) ?? true {
                tables.append(key)
                streams.append(DiscoveredStream(name: name(key.schema, key.table), records: 0, schema: InferredSchema()))
            }
            let nullable = (row["nullable"] as? Bool) ?? ((row["nullable"] as? Int).map { $0 != 0 } ?? true)
            streams[streams.count - 1].columns.append(DiscoveredColumn(name: row["c"] as? String ?? "", type: row["type"] as? String ?? "",
                                                                       nullable: nullable))
        }
        for (index, key) in tables.enumerated() {
            for record in try sample(key.schema, key.table) {
                streams[index].schema.observe(record)
                streams[index].records += 1
            }
        }
        return streams
    }

    /// Every row of `sql`, as dictionaries.
    private static func rows(_ reader: any SQLRowReader, _ sql: String, _ parameters: [SQLValue]) throws -> [[String: Any]] {
        try reader.start(sql: sql, parameters: parameters, cursorField: nil)
        defer { reader.finish() }
        var out: [[String: Any]] = []
        while true {
            let chunk = try reader.next(1000)
            if chunk.isEmpty { return out }
            for row in chunk { out.append(try JSONSerialization.jsonObject(with: Data(row.json)) as? [String: Any] ?? [:]) }
        }
    }

    private static func failing<T>(_ node: BuiltinNode, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as SQLError { throw error.pipelineError(node, phase: "discover") }
    }
}
