import Foundation
import GRDB

/// Streams a query's rows from SQLite in chunks. The statement steps inside GRDB's accesses to the
/// database, one access per chunk (every access runs on the same serial queue, so the cursor is
/// used as GRDB requires), and is released inside one too.
final class SQLiteRowReader: SQLRowReader {
    let session: SQLiteSession
    private var cursor: RowCursor?
    private var cursorField: String?
    private var keys: [[UInt8]] = []
    private var cursorColumn: Int?

    init(session: SQLiteSession) {
        self.session = session
    }

    deinit { finish() }

    func start(sql: String, parameters: [SQLValue], cursorField: String?) throws {
        finish()
        self.cursorField = cursorField
        cursor = try session.access { db in
            let statement = try db.makeStatement(sql: sql)
            let names = statement.columnNames
            keys = names.map(JSONBytes.key)
            if let field = cursorField {
                guard let column = names.firstIndex(of: field) else {
                    throw SQLError(.configuration, "incremental.cursor_field \"\(field)\" is not a column of the result (columns: \(names.joined(separator: ", ")))")
                }
                cursorColumn = column
            }
            return try Row.fetchCursor(statement, arguments: StatementArguments(parameters.map(Self.databaseValue)))
        }
    }

    func next(_ count: Int) throws -> [SQLRow] {
        guard let cursor else { return [] }
        return try session.access { _ in
            var rows: [SQLRow] = []
            rows.reserveCapacity(count)
            while rows.count < count, let row = try cursor.next() { rows.append(encode(row)) }
            return rows
        }
    }

    func finish() {
        guard cursor != nil else { return }
        _ = try? session.access { _ in cursor = nil }
    }

    /// A local file does not lose its connection.
    func recover() throws {}

    private func encode(_ row: Row) -> SQLRow {
        var json: [UInt8] = [UInt8(ascii: "{")]
        var cursor: [UInt8]?
        for index in 0..<row.count {
            if index > 0 { json.append(UInt8(ascii: ",")) }
            json += keys[index]
            let start = json.count
            Self.append(row[index] as DatabaseValue, to: &json)
            if index == cursorColumn { cursor = Array(json[start...]) }
        }
        json.append(UInt8(ascii: "}"))
        return SQLRow(json: json, cursor: cursor)
    }

    /// SQLite's storage classes as JSON: integer and real as numbers, text as a string, a blob
    /// as base64, NULL as null.
    static func append(_ value: DatabaseValue, to out: inout [UInt8]) {
        switch value.storage {
        case .null: out += JSONBytes.null
        case .int64(let integer): out += Array(String(integer).utf8)
        case .double(let double): JSONBytes.appendDouble(double, to: &out)
        case .string(let text): JSONBytes.appendString(text, to: &out)
        case .blob(let data): JSONBytes.appendString(data.base64EncodedString(), to: &out)
        }
    }

    static func databaseValue(_ value: SQLValue) -> DatabaseValue {
        switch value {
        case .null: return .null
        case .boolean(let flag): return (flag ? 1 : 0).databaseValue
        case .integer(let integer): return integer.databaseValue
        case .double(let double): return double.databaseValue
        case .text(let text): return text.databaseValue
        }
    }
}
