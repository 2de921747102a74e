import LuaflowCore
import PostgresNIO

/// Streams a query's rows from PostgreSQL in chunks: postgres-nio's row sequence reads from the
/// socket only as rows are taken, so a chunk in hand is all the memory a query holds, whatever
/// the size of its result.
final class PostgresRowReader: SQLRowReader {
    let session: PostgresSession
    private let values: PostgresValueJSON
    private var rows: RowIterator?
    private var cursorField: String?
    /// `"name":` of each column, JSON-escaped once per query.
    private var keys: [[UInt8]]?
    private var cursorColumn: Int?

    init(session: PostgresSession, numeric: PostgresValueJSON.NumericStyle) {
        self.session = session
        values = PostgresValueJSON(numeric: numeric)
    }

    func start(sql: String, parameters: [SQLValue], cursorField: String?) throws {
        finish()
        if !session.isConnected { try session.connect() }
        let query = try PostgresSession.query(sql, parameters)
        let logger = session.runtime.logger
        rows = try session.withConnection { connection in
            RowIterator(try await connection.query(query, logger: logger).makeAsyncIterator())
        }
        self.cursorField = cursorField
    }

    func next(_ count: Int) throws -> [SQLRow] {
        guard let rows else { return [] }
        let chunk = try session.waiting { try await rows.next(count) }
        return try chunk.map(encode)
    }

    func finish() {
        rows = nil
        keys = nil
        cursorColumn = nil
    }

    func recover() throws {
        finish()
        try session.connect()
    }

    /// The row as a JSON object, its columns in the query's order.
    private func encode(_ row: PostgresRow) throws -> SQLRow {
        if keys == nil { try describe(row) }
        var json: [UInt8] = [UInt8(ascii: "{")]
        var cursor: [UInt8]?
        for (index, cell) in row.enumerated() {
            if index > 0 { json.append(UInt8(ascii: ",")) }
            json += keys![index]
            let start = json.count
            do {
                try values.append(cell.dataType, cell.bytes, to: &json)
            } catch is PostgresValueJSON.Unsupported {
                throw SQLError(.statement, """
                    column "\(cell.columnName)" has a type (oid \(cell.dataType.rawValue)) that luaflow does not read; \
                    cast it in the query, e.g. \(cell.columnName)::text
                    """)
            }
            if index == cursorColumn { cursor = Array(json[start...]) }
        }
        json.append(UInt8(ascii: "}"))
        return SQLRow(json: json, cursor: cursor)
    }

    private func describe(_ row: PostgresRow) throws {
        let names = row.map(\.columnName)
        keys = names.map(JSONBytes.key)
        if let field = cursorField {
            guard let column = names.firstIndex(of: field) else {
                throw SQLError(.configuration, "incremental.cursor_field \"\(field)\" is not a column of the result (columns: \(names.joined(separator: ", ")))")
            }
            cursorColumn = column
        }
    }
}

/// The row sequence's iterator, moved between the blocking calls that take chunks from it (one
/// at a time: the reader's thread waits for each).
final class RowIterator: @unchecked Sendable {
    private var iterator: PostgresRowSequence.AsyncIterator

    init(_ iterator: PostgresRowSequence.AsyncIterator) {
        self.iterator = iterator
    }

    func next(_ count: Int) async throws -> [PostgresRow] {
        var rows: [PostgresRow] = []
        rows.reserveCapacity(count)
        while rows.count < count, let row = try await iterator.next() { rows.append(row) }
        return rows
    }
}
