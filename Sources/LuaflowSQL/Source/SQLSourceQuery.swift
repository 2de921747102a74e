/// The statement a database source runs, and its parameter: `table` becomes
/// `select * from "table"`, with `where "cursor" > <cursor> order by "cursor"` when incremental;
/// a `query` has its `:cursor` replaced by the placeholder (`$1` or `?`). Names are quoted,
/// values always bound.
struct SQLSourceQuery: Equatable {
    var sql: String
    /// How many times the cursor is bound (once per `:cursor` in a query).
    var cursorBindings: Int

    /// `cursor`: whether there is a cursor value to compare with (a resumed or later run, or an
    /// initial value).
    init(table: String, schema: String?, cursorField: String?, hasCursor: Bool, dialect: SQLDialect) {
        let name = (schema.map { SQLIdentifier.quoted($0) + "." } ?? "") + SQLIdentifier.quoted(table)
        sql = "select * from \(name)"
        cursorBindings = 0
        if let field = cursorField {
            if hasCursor {
                sql += " where \(SQLIdentifier.quoted(field)) > \(dialect == .postgres ? "$1" : "?")"
                cursorBindings = 1
            }
            sql += " order by \(SQLIdentifier.quoted(field))"
        }
    }

    /// A user's query: each `:cursor` becomes a placeholder (see ``SQLStatement``); no other
    /// parameter is allowed.
    init(query: String, dialect: SQLDialect) throws {
        let statement = SQLStatement(query, dialect: dialect)
        if let other = statement.names.first(where: { $0 != "cursor" }) {
            throw SQLError(.configuration, "the query uses :\(other); a source's query takes only :cursor")
        }
        sql = statement.sql
        cursorBindings = statement.names.count
    }
}
