import CSQLiteShim

/// When the statements of one SQLite connection must stop: the calling Lua call's time limit.
/// SQLite's progress handler checks it every 1000 steps of a statement and ends the statement
/// (`SQLITE_INTERRUPT`) once it passed, so a runaway query (`WITH RECURSIVE` without end) stops
/// within milliseconds of the node's `time_limit`. Armed and read from the connection's thread.
final class SQLiteDeadline: @unchecked Sendable {
    let pointer: OpaquePointer

    init() {
        pointer = luaflow_sqlite_deadline_new()!
    }

    deinit { luaflow_sqlite_deadline_free(pointer) }

    /// Statements stop `seconds` from now (nil: no deadline).
    func arm(seconds: Double?) {
        luaflow_sqlite_deadline_arm(pointer, seconds.map { Int64(max(0, min($0, 1e9)) * 1e9) } ?? -1)
    }

    /// No deadline until the next ``arm(seconds:)``.
    func disarm() { luaflow_sqlite_deadline_arm(pointer, -1) }

    /// Whether a statement was stopped because the deadline passed, since the last arm.
    var expired: Bool { luaflow_sqlite_deadline_expired(pointer) != 0 }
}
