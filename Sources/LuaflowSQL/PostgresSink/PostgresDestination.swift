import LuaflowCore
import NIOCore
import PostgresNIO

/// `sink.postgres`'s database. A load is one transaction: append and replace COPY their rows
/// straight into the table (a replace's shadow table); merge COPYs into a temporary staging
/// table and upserts it into the target once, at the checkpoint (`INSERT ... SELECT DISTINCT ON
/// (key) ... ON CONFLICT (key) DO UPDATE`), so the last record of a key in a load wins.
final class PostgresDestination: TableDestination {
    private let session: PostgresSession
    private let schema: String
    private let options: TableLoadOptions
    private var rows = CopyTextRows()
    /// Merge: the staging table exists in this load with the target's columns.
    private var stageReady = false
    private var inTransaction = false
    /// The server process of the connection the open load began on.
    private var loadBackend: Int64 = 0
    /// The COPY's table and column list, escaped once per shape (``SQLIdentifier/escaped(_:)``).
    private var copyNames: (table: String, columns: Int, escaped: (table: String, columns: [String]))?

    init(session: PostgresSession, schema: String, options: TableLoadOptions) {
        self.session = session
        self.schema = schema
        self.options = options
    }

    private var stage: String { options.stagingTable }

    var dialect: SQLDialect { .postgres }

    var reconnects: Bool { true }

    func isConnectionLost(_ error: Error) -> Bool {
        (error as? SQLError)?.kind == .connectionLost || (error as? SQLError)?.kind == .connectionRefused
    }

    func loadCommitted(_ load: Int64) throws -> Bool {
        let (loads, logger) = (qualified("_luaflow_loads"), session.runtime.logger)
        return try session.withConnection { connection in
            var found = false
            let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT load_id FROM \(loads) WHERE load_id = \(load)"), logger: logger)
            for try await _ in rows { found = true }
            return found
        }
    }

    func connect() throws {
        try session.connect()
        try session.execute("SET search_path TO \(quoted(schema))")
    }

    func prepare() throws {
        try session.execute("CREATE SCHEMA IF NOT EXISTS \(quoted(schema))")
        try session.execute("""
            CREATE TABLE IF NOT EXISTS \(qualified("_luaflow_loads")) (load_id bigint PRIMARY KEY, run text NOT NULL,
              table_name text NOT NULL, records bigint NOT NULL, loaded_at timestamptz NOT NULL DEFAULT now())
            """)
        try session.execute("CREATE SEQUENCE IF NOT EXISTS \(qualified("_luaflow_load_seq"))")
    }

    func columns(of table: String) throws -> [TableColumn]? {
        let (schema, logger) = (self.schema, session.runtime.logger)
        let found = try session.withConnection { connection in
            var columns: [(String, String)] = []
            let rows = try await connection.query("""
                SELECT column_name::text, data_type::text FROM information_schema.columns
                WHERE table_schema = \(schema) AND table_name = \(table) ORDER BY ordinal_position
                """, logger: logger)
            for try await (name, type) in rows.decode((String, String).self) { columns.append((name, type)) }
            return columns
        }
        if found.isEmpty { return nil }
        return found.filter { !$0.0.hasPrefix("_luaflow") }.map { TableColumn(name: $0.0, type: ColumnType(postgres: $0.1) ?? .text) }
    }

    func beginLoad() throws -> Int64 {
        try session.execute("BEGIN")
        inTransaction = true
        stageReady = false
        let (id, pid) = try integers("SELECT nextval($1::regclass), pg_backend_pid()::bigint", [.text(qualified("_luaflow_load_seq"))])
        loadBackend = pid
        return id
    }

    /// The two integers of a one-row query.
    private func integers(_ sql: String, _ parameters: [SQLValue] = []) throws -> (Int64, Int64) {
        let (logger, query) = (session.runtime.logger, try PostgresSession.query(sql, parameters))
        return try session.withConnection { connection in
            var values: (Int64, Int64) = (0, 0)
            for try await row in try await connection.query(query, logger: logger).decode((Int64, Int64).self) {
                values = row
            }
            return values
        }
    }

    /// Fails when the session is no longer on the connection the load began on: the session
    /// reconnects by itself, and statements on a new connection would run outside the load.
    private func onLoadConnection() throws {
        guard session.isConnected, try integers("SELECT pg_backend_pid()::bigint, 0").0 == loadBackend else {
            throw SQLError(.connectionLost, "the connection to the server was lost in the middle of a load")
        }
    }

    func create(_ table: String, columns: [TableColumn], primaryKey: [String]) throws {
        var defs = columns.map { "\(quoted($0.name)) \($0.type.rawValue)" } + ["_luaflow_load_id bigint NOT NULL"]
        if !primaryKey.isEmpty { defs.append("PRIMARY KEY (\(primaryKey.map(quoted).joined(separator: ", ")))") }
        try session.execute("CREATE TABLE \(qualified(table)) (\(defs.joined(separator: ", ")))")
    }

    func add(_ columns: [TableColumn], to table: String) throws {
        for c in columns {
            try session.execute("ALTER TABLE \(qualified(table)) ADD COLUMN \(quoted(c.name)) \(c.type.rawValue)")
            if stageReady { try session.execute("ALTER TABLE \(quoted(stage)) ADD COLUMN \(quoted(c.name)) \(c.type.rawValue)") }
        }
    }

    func write(_ plan: BatchPlan, _ bytes: UnsafeRawBufferPointer, columns: [TableColumn], into table: String, load: Int64) throws {
        var buffer = ByteBufferAllocator().buffer(capacity: bytes.count + bytes.count / 4)
        rows.render(plan, bytes, columns: columns, extra: String(load), into: &buffer)
        guard buffer.readableBytes > 0 else { return }
        if options.disposition == .merge, !stageReady {
            try session.execute("DROP TABLE IF EXISTS pg_temp.\(quoted(stage))")
            try session.execute("CREATE TEMP TABLE \(quoted(stage)) (LIKE \(qualified(table)) INCLUDING DEFAULTS)")
            try session.execute("ALTER TABLE \(quoted(stage)) ADD COLUMN _luaflow_seq bigserial")
            stageReady = true
        }
        let (target, names) = copyTarget(columns, table: options.disposition == .merge ? stage : table)
        let (logger, data) = (session.runtime.logger, buffer)
        guard session.isConnected else { throw SQLError(.connectionLost, "the connection to the server was lost in the middle of a load") }
        try session.withConnection { connection in
            try await connection.copyFrom(table: target, columns: names, logger: logger) { writer in
                try await writer.write(data)
            }
        }
    }

    /// The table and column names for `copyFrom`, which puts each one between double quotes
    /// without escaping it: they go escaped (``SQLIdentifier/escaped(_:)``), so a `"` in a field
    /// name stays in the name. Made once per shape (the columns only grow), not per batch. The
    /// session's search_path holds the schema.
    private func copyTarget(_ columns: [TableColumn], table: String) -> (String, [String]) {
        if let copyNames, copyNames.table == table, copyNames.columns == columns.count { return copyNames.escaped }
        let escaped = (SQLIdentifier.escaped(table), columns.map { SQLIdentifier.escaped($0.name) } + ["_luaflow_load_id"])
        copyNames = (table, columns.count, escaped)
        return escaped
    }

    func commitLoad(_ load: Int64, run: String, table: String, records: Int) throws {
        try onLoadConnection()
        if options.disposition == .merge, stageReady { try upsertStage(into: table) }
        try session.execute("INSERT INTO \(qualified("_luaflow_loads")) (load_id, run, table_name, records) VALUES ($1, $2, $3, $4)",
                            [.integer(load), .text(run), .text(table), .integer(Int64(records))])
        try session.execute("COMMIT")
        inTransaction = false
    }

    /// One statement: the staged rows, the last of each key (or the one with the largest
    /// `dedup_sort`), inserted or updated by key.
    private func upsertStage(into table: String) throws {
        guard let columns = try self.columns(of: table) else { return }
        let names = columns.map { quoted($0.name) } + ["_luaflow_load_id"]
        let keys = options.primaryKey.map(quoted).joined(separator: ", ")
        var order = keys
        if let sort = options.dedupSort { order += ", \(quoted(sort)) DESC NULLS LAST" }
        order += ", _luaflow_seq DESC"
        let keyNames = options.primaryKey.map(quoted)
        let updates = names.filter { name in !keyNames.contains { $0.utf8.elementsEqual(name.utf8) } }.map { "\($0) = EXCLUDED.\($0)" }
        let list = names.joined(separator: ", ")
        try session.execute("""
            INSERT INTO \(qualified(table)) (\(list))
            SELECT DISTINCT ON (\(keys)) \(list) FROM \(quoted(stage)) ORDER BY \(order)
            ON CONFLICT (\(keys)) DO \(updates.isEmpty ? "NOTHING" : "UPDATE SET " + updates.joined(separator: ", "))
            """)
    }

    func discard(_ load: Int64, in table: String) throws {
        guard options.disposition != .merge, try columns(of: table) != nil else { return }
        try session.execute("DELETE FROM \(qualified(table)) WHERE _luaflow_load_id = $1", [.integer(load)])
    }

    func rollback() {
        guard inTransaction else { return }
        inTransaction = false
        try? session.execute("ROLLBACK")
    }

    func undoLoads(run: String, table: String, after load: Int64?, deletingRows: Bool) throws {
        let loads = "SELECT load_id FROM \(qualified("_luaflow_loads")) WHERE run = $1 AND table_name = $2 AND load_id > $3"
        let arguments: [SQLValue] = [.text(run), .text(table), .integer(load ?? 0)]
        try session.execute("BEGIN")
        do {
            if deletingRows, try self.columns(of: table) != nil {
                try session.execute("DELETE FROM \(qualified(table)) WHERE _luaflow_load_id IN (\(loads))", arguments)
            }
            try session.execute("DELETE FROM \(qualified("_luaflow_loads")) WHERE load_id IN (\(loads))", arguments)
            try session.execute("COMMIT")
        } catch {
            try? session.execute("ROLLBACK")
            throw error
        }
    }

    func drop(_ table: String) throws {
        try session.execute("DROP TABLE IF EXISTS \(qualified(table))")
    }

    func swap(_ shadow: String, into target: String) throws {
        try session.execute("BEGIN")
        do {
            if try columns(of: shadow) != nil {
                try session.execute("DROP TABLE IF EXISTS \(qualified(target))")
                try session.execute("ALTER TABLE \(qualified(shadow)) RENAME TO \(quoted(target))")
            }
            try session.execute("COMMIT")
        } catch {
            try? session.execute("ROLLBACK")
            throw error
        }
    }

    func check(table: String) throws -> [String] {
        let version = try session.serverVersion()
        try session.execute("BEGIN")
        defer { try? session.execute("ROLLBACK") }
        do {
            try session.execute("CREATE SCHEMA IF NOT EXISTS \(quoted(schema))")
            try session.execute("CREATE TABLE \(qualified("_luaflow_check")) (x bigint)")
            try session.execute("INSERT INTO \(qualified("_luaflow_check")) VALUES (1)")
        } catch let error as SQLError {
            throw SQLError(error.kind, "cannot create and write tables in schema \(schema): \(error.message)", sqlState: error.sqlState)
        }
        return ["\(version), schema \(schema) writable (create, insert)"]
    }

    func close() {
        inTransaction = false
        stageReady = false
        copyNames = nil
        session.close()
    }

    private func qualified(_ name: String) -> String { quoted(schema) + "." + quoted(name) }

    private func quoted(_ name: String) -> String { SQLIdentifier.quoted(name) }
}
