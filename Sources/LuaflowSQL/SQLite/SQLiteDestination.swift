import Foundation
import GRDB

/// `sink.sqlite`'s database: one connection, a load is one `BEGIN IMMEDIATE` transaction of
/// prepared inserts (upserts for merge).
final class SQLiteDestination: TableDestination {
    private let path: String
    private let options: TableLoadOptions
    private var queue: DatabaseQueue?
    /// The insert of the current column list, prepared once per shape.
    private var insertSQL: (columns: Int, table: String, sql: String)?
    private var text: [UInt8] = []

    init(path: String, options: TableLoadOptions) {
        self.path = path
        self.options = options
    }

    private var db: DatabaseQueue {
        get throws {
            guard let queue else { throw SQLiteSinkError("not connected to \(path)") }
            return queue
        }
    }

    var dialect: SQLDialect { .sqlite }

    /// A file does not disconnect.
    var reconnects: Bool { false }

    func isConnectionLost(_ error: Error) -> Bool { false }

    func loadCommitted(_ load: Int64) throws -> Bool {
        try db.inDatabase { db in try Bool.fetchOne(db, sql: "SELECT count(*) > 0 FROM _luaflow_loads WHERE load_id = ?", arguments: [load]) ?? false }
    }

    func connect() throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        var config = SQLiteConnectionPolicy.configuration(readOnly: false)
        config.allowsUnsafeTransactions = true // a load is one transaction across many calls
        queue = try DatabaseQueue(path: path, configuration: config)
    }

    func prepare() throws {
        try db.inDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS _luaflow_loads (load_id INTEGER PRIMARY KEY, run TEXT NOT NULL,
                  table_name TEXT NOT NULL, records INTEGER NOT NULL, loaded_at TEXT NOT NULL)
                """)
        }
    }

    func columns(of table: String) throws -> [TableColumn]? {
        try db.inDatabase { db in
            let rows = try Row.fetchAll(db, sql: "SELECT name, type FROM pragma_table_info(?)", arguments: [table])
            if rows.isEmpty { return nil }
            return rows.compactMap { row -> TableColumn? in
                let name: String = row["name"]
                guard !name.hasPrefix("_luaflow") else { return nil }
                return TableColumn(name: name, type: ColumnType(sqlite: row["type"]) ?? .text)
            }
        }
    }

    func beginLoad() throws -> Int64 {
        try db.inDatabase { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            return try Int64.fetchOne(db, sql: "SELECT coalesce(max(load_id), 0) + 1 FROM _luaflow_loads")!
        }
    }

    func create(_ table: String, columns: [TableColumn], primaryKey: [String]) throws {
        var defs = columns.map { "\(quoted($0.name)) \($0.type.sqliteName)" } + ["_luaflow_load_id INTEGER NOT NULL"]
        if !primaryKey.isEmpty { defs.append("PRIMARY KEY (\(primaryKey.map(quoted).joined(separator: ", ")))") }
        try db.inDatabase { db in try db.execute(sql: "CREATE TABLE \(quoted(table)) (\(defs.joined(separator: ", ")))") }
    }

    func add(_ columns: [TableColumn], to table: String) throws {
        try db.inDatabase { db in
            for c in columns { try db.execute(sql: "ALTER TABLE \(quoted(table)) ADD COLUMN \(quoted(c.name)) \(c.type.sqliteName)") }
        }
    }

    func write(_ plan: BatchPlan, _ bytes: UnsafeRawBufferPointer, columns: [TableColumn], into table: String, load: Int64) throws {
        let sql = insert(columns, into: table)
        var row: [FieldValue] = []
        try db.inDatabase { db in
            let statement = try db.cachedStatement(sql: sql)
            var values: [DatabaseValue] = []
            values.reserveCapacity(columns.count + 1)
            for r in plan.records.indices where plan.records[r].rejection == nil {
                plan.row(r, columnCount: columns.count, into: &row)
                values.removeAll(keepingCapacity: true)
                for (c, value) in row.enumerated() { values.append(databaseValue(value, bytes, type: columns[c].type)) }
                values.append(load.databaseValue)
                try statement.execute(arguments: StatementArguments(values))
            }
        }
    }

    private func databaseValue(_ value: FieldValue, _ bytes: UnsafeRawBufferPointer, type: ColumnType) -> DatabaseValue {
        switch value {
        case .null: return .null
        case .bool(let b): return (b ? 1 : 0).databaseValue
        case .int(let i): return type == .double ? Double(i).databaseValue : i.databaseValue
        case .double(let range):
            return (Double(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)) ?? .nan).databaseValue
        case .string(let range, let escaped): return JSONStringText.string(bytes, range, escaped: escaped).databaseValue
        case .json(let range): return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self).databaseValue
        }
    }

    /// `INSERT INTO t (...) VALUES (...)`, for merge with `ON CONFLICT (key) DO UPDATE`: within a
    /// load a later record replaces an earlier one unless `dedup_sort` says it is older.
    private func insert(_ columns: [TableColumn], into table: String) -> String {
        if let insertSQL, insertSQL.columns == columns.count, insertSQL.table == table { return insertSQL.sql }
        let names = columns.map { quoted($0.name) } + ["_luaflow_load_id"]
        var sql = "INSERT INTO \(quoted(table)) (\(names.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: names.count).joined(separator: ", ")))"
        if options.disposition == .merge {
            let keyNames = options.primaryKey.map(quoted)
            let updates = names.filter { name in !keyNames.contains { $0.utf8.elementsEqual(name.utf8) } }
                .map { "\($0) = excluded.\($0)" }
            sql += " ON CONFLICT (\(options.primaryKey.map(quoted).joined(separator: ", "))) DO "
            sql += updates.isEmpty ? "NOTHING" : "UPDATE SET \(updates.joined(separator: ", "))"
            if let sort = options.dedupSort, !updates.isEmpty {
                sql += " WHERE \(quoted(table))._luaflow_load_id <> excluded._luaflow_load_id OR excluded.\(quoted(sort)) >= \(quoted(table)).\(quoted(sort))"
            }
        }
        insertSQL = (columns.count, table, sql)
        return sql
    }

    func commitLoad(_ load: Int64, run: String, table: String, records: Int) throws {
        try db.inDatabase { db in
            try db.execute(sql: "INSERT INTO _luaflow_loads (load_id, run, table_name, records, loaded_at) VALUES (?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                           arguments: [load, run, table, records])
            try db.execute(sql: "COMMIT")
        }
    }

    /// A file's load is never cut off from its transaction: nothing to discard.
    func discard(_ load: Int64, in table: String) throws {}

    func rollback() {
        try? queue?.inDatabase { db in
            if db.isInsideTransaction { try db.execute(sql: "ROLLBACK") }
        }
    }

    func undoLoads(run: String, table: String, after load: Int64?, deletingRows: Bool) throws {
        try db.inDatabase { db in
            try db.inTransaction {
                let loads = "SELECT load_id FROM _luaflow_loads WHERE run = ? AND table_name = ? AND load_id > ?"
                let arguments: StatementArguments = [run, table, load ?? 0]
                if deletingRows, try tableExists(db, table) {
                    try db.execute(sql: "DELETE FROM \(quoted(table)) WHERE _luaflow_load_id IN (\(loads))", arguments: arguments)
                }
                try db.execute(sql: "DELETE FROM _luaflow_loads WHERE load_id IN (\(loads))", arguments: arguments)
                return .commit
            }
        }
    }

    func drop(_ table: String) throws {
        try db.inDatabase { db in try db.execute(sql: "DROP TABLE IF EXISTS \(quoted(table))") }
    }

    func swap(_ shadow: String, into target: String) throws {
        try db.inDatabase { db in
            try db.inTransaction {
                guard try tableExists(db, shadow) else { return .commit }
                try db.execute(sql: "DROP TABLE IF EXISTS \(quoted(target))")
                try db.execute(sql: "ALTER TABLE \(quoted(shadow)) RENAME TO \(quoted(target))")
                return .commit
            }
        }
    }

    func check(table: String) throws -> [String] {
        try db.inDatabase { db in
            try db.inTransaction {
                try db.execute(sql: "CREATE TABLE _luaflow_check (x INTEGER)")
                try db.execute(sql: "INSERT INTO _luaflow_check VALUES (1)")
                return .rollback
            }
            let version = try String.fetchOne(db, sql: "SELECT sqlite_version()") ?? "?"
            return ["SQLite \(version), \(path) writable"]
        }
    }

    func close() {
        queue = nil
        insertSQL = nil
    }

    private func tableExists(_ db: Database, _ table: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?", arguments: [table]) ?? false
    }

    private func quoted(_ name: String) -> String { SQLIdentifier.quoted(name) }
}

/// A problem of the SQLite sink outside SQLite itself.
struct SQLiteSinkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
