/// One row of a query result as a source hands it on: the JSON object, and the JSON of its
/// cursor column (when the source is incremental).
struct SQLRow {
    var json: [UInt8]
    var cursor: [UInt8]?
}

/// Streams the rows of one query, a chunk at a time, in constant memory (PostgreSQL, SQLite).
/// Used by one thread.
protocol SQLRowReader: AnyObject {
    /// Starts `sql` with `parameters` bound; `cursorField` names the column whose value each row
    /// reports as its cursor (an error names the columns when there is no such column).
    func start(sql: String, parameters: [SQLValue], cursorField: String?) throws
    /// Up to `count` more rows; fewer only at the end of the result.
    func next(_ count: Int) throws -> [SQLRow]
    /// Ends the query (and frees what it holds); the reader may start another.
    func finish()
    /// Makes the connection usable again after a ``SQLError/Kind/connectionLost`` (PostgreSQL
    /// reconnects, with backoff); throws when it cannot.
    func recover() throws
}
