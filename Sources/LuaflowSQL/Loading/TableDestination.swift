/// What differs between the databases under ``TableSinkRuntime``: connecting, DDL, writing rows
/// and the bookkeeping table `_luaflow_loads` (load id, run, table, records), whose row commits
/// in the same transaction as the load's rows. Used from the sink's thread only.
protocol TableDestination: AnyObject {
    /// The database's naming rules (``SQLIdentifier/problem(_:dialect:)``).
    var dialect: SQLDialect { get }
    /// Whether the connection can break in the middle of a load (a server's, not a file's): the
    /// sink then keeps the open load's batches to send them again.
    var reconnects: Bool { get }
    /// Whether `error` says the connection broke (the open load was rolled back with it).
    func isConnectionLost(_ error: Error) -> Bool
    /// Whether `load` committed (its COMMIT may have gone through before the connection broke).
    func loadCommitted(_ load: Int64) throws -> Bool
    /// Connects (again, after `close`).
    func connect() throws
    /// Creates what the sink keeps beside the table (the schema, `_luaflow_loads`) when missing.
    func prepare() throws
    /// The columns of `table` without the sink's own (nil: no such table).
    func columns(of table: String) throws -> [TableColumn]?
    /// Opens a load's transaction and returns the load's id (larger than any before it).
    func beginLoad() throws -> Int64
    /// Inside the load: creates `table` with `columns` (and `primaryKey`), or adds them to it.
    func create(_ table: String, columns: [TableColumn], primaryKey: [String]) throws
    func add(_ columns: [TableColumn], to table: String) throws
    /// Writes the plan's records that have no rejection (`columns`: the whole shape) into the
    /// open load, each row tagged with `load`.
    func write(_ plan: BatchPlan, _ bytes: UnsafeRawBufferPointer, columns: [TableColumn], into table: String, load: Int64) throws
    /// Records the load in `_luaflow_loads` (after a merge's upsert) and commits it.
    func commitLoad(_ load: Int64, run: String, table: String, records: Int) throws
    /// Deletes rows tagged with `load` that a broken connection's load left behind (outside the
    /// load's transaction), before the load is sent again.
    func discard(_ load: Int64, in table: String) throws
    /// Rolls the open load back (nothing when none is open).
    func rollback()
    /// Forgets the loads of `run` into `table` after `load` (all of them when nil), deleting
    /// their rows when `deletingRows`: one transaction.
    func undoLoads(run: String, table: String, after load: Int64?, deletingRows: Bool) throws
    func drop(_ table: String) throws
    /// Replaces `target` by `shadow` in one transaction; nothing when `shadow` is gone (done before).
    func swap(_ shadow: String, into target: String) throws
    /// `luaflow check`: what the destination is (version), after checking it can create and write `table`.
    func check(table: String) throws -> [String]
    func close()
}
