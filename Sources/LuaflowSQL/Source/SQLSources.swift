import Foundation
import LuaflowCore

/// Makes `source.postgres` and `source.sqlite` from their checked configs.
enum SQLSources {
    static func postgres(_ node: BuiltinNode, runtime: SQLRuntime) throws -> any NodeRuntime {
        let config = try SQLSourceConfig.load(node)
        let dsn: PostgresDSN
        do { dsn = try PostgresDSN(config.dsn ?? "") } catch let error as SQLError { throw error.pipelineError(node, phase: "config") }
        let session = PostgresSession(dsn: dsn, runtime: runtime)
        let reader = PostgresRowReader(session: session, numeric: config.numeric == "number" ? .number : .string)
        return SQLSourceRuntime(node: node, config: config, reader: reader, dialect: .postgres) {
            try session.connect()
            var notes = [try session.serverVersion()]
            if let table = config.table {
                let name = (config.schema.map { $0 + "." } ?? "") + table
                try session.execute(SQLSourceQuery(table: table, schema: config.schema, cursorField: nil, hasCursor: false, dialect: .postgres).sql + " limit 0")
                notes.append("table \(name) readable")
            }
            return notes
        }
    }

    static func sqlite(_ node: BuiltinNode, runtime: SQLRuntime) throws -> any NodeRuntime {
        let config = try SQLSourceConfig.load(node)
        let display = config.path ?? ""
        let path = display.hasPrefix("/") ? display : node.pipeline.directory + "/" + display
        let session: SQLiteSession
        do {
            session = try SQLiteSession(path: path, displayPath: display, readOnly: true, runtime: runtime)
        } catch let error as SQLError {
            throw error.pipelineError(node, phase: "config")
        }
        return SQLSourceRuntime(node: node, config: config, reader: SQLiteRowReader(session: session), dialect: .sqlite) {
            var notes = [try session.version(), "file \(display)"]
            if let table = config.table {
                let sql = SQLSourceQuery(table: table, schema: nil, cursorField: nil, hasCursor: false, dialect: .sqlite).sql
                try session.access { _ = try $0.makeStatement(sql: sql) }
                notes.append("table \(table) readable")
            }
            return notes
        }
    }
}
