import CLua
import CLuaShim

/// The C batch loops behind typed entry points. Each call runs a whole batch, page or pull in one
/// protected C call, so the host does no per-record work in Swift. `io` carries the records in and
/// out; when a call throws, the `LuaError` is the script's failure and `io` says which record
/// failed (`record_start`, `record_len`, `failedPhase`) and where a loop may resume (`pos`).
extension LuaState {
    /// Calls `function(record)` for each record of `io.in`. Non-nil results are encoded to
    /// `io.out` (as raw text when `io.raw_text` is set and a result is a string), or ignored when
    /// `ignoringResults` (sinks). Stops at the first failing record.
    public func runBatch(_ function: LuaRef, ignoringResults: Bool, io: inout luaflow_batch_io) throws {
        checkOwner()
        try check(luaflow_run_batch(handle, function.id, ignoringResults ? 1 : 0, &io), kind: .runtime)
    }

    /// Checks that each record of `io.in` is valid JSON, copying the valid ones to `io.out`.
    /// Stops at the first invalid record (`failedPhase` is `.decode`).
    public func validateBatch(_ io: inout luaflow_batch_io) throws {
        checkOwner()
        io.validate_only = 1
        try check(luaflow_run_batch(handle, LUA_NOREF, 1, &io), kind: .runtime)
    }

    /// Decodes up to `io.max_records` records of `io.in` into one array and calls
    /// `function(array, info)`.
    public func runWriteBatch(_ function: LuaRef, info: LuaRef, io: inout luaflow_batch_io) throws {
        checkOwner()
        try check(luaflow_run_write_batch(handle, function.id, info.id, &io), kind: .runtime)
    }

    /// Calls the source's `function()` until it returns nil (`io.done` set), `io.max_records`
    /// records came out, or `io.deadline_ns` passed; records are encoded to `io.out`.
    public func pullSource(_ function: LuaRef, io: inout luaflow_batch_io) throws {
        checkOwner()
        try check(luaflow_run_source_pull(handle, function.id, &io), kind: .runtime)
    }

    /// Calls `function(pagination, state)` once: its records are encoded to `io.out`. Returns the
    /// next pagination it returned (its JSON in `io.aux`), kept in the registry for the next call,
    /// or nil when it returned nil or `{}` (`io.done` set).
    public func getPage(_ function: LuaRef, pagination: LuaRef, state: LuaRef, io: inout luaflow_batch_io) throws -> LuaRef? {
        checkOwner()
        try check(luaflow_run_source_get(handle, function.id, pagination.id, state.id, &io), kind: .runtime)
        return io.done != 0 ? nil : popRef() // stack: next ->
    }

    /// Calls `function()` with `emit()` allowed: what it emits and the items of the list it returns
    /// are encoded to `out`. Returns how many records that is.
    public func callEmitting(_ function: LuaRef, into out: inout luaflow_buf) throws -> Int {
        checkOwner()
        var emitted: Int64 = 0
        try check(luaflow_run_hook(handle, function.id, &out, &emitted), kind: .runtime)
        luaflow_pop(handle, 1) // stack: result ->
        return Int(emitted)
    }

    /// Writes each record of `io.in` to `io.out` as a CSV row of the fields named by the string
    /// array at `columns`; a field outside them fails the record unless `ignoringOtherFields`.
    public func writeCSVRows(columns: LuaRef, delimiter: UInt8, ignoringOtherFields: Bool,
                             io: inout luaflow_batch_io) throws {
        checkOwner()
        try check(luaflow_run_csv_rows(handle, columns.id, CChar(bitPattern: delimiter), ignoringOtherFields ? 1 : 0, &io),
                  kind: .runtime)
    }

    /// Records `emit()` has appended in this state so far: the difference across a batch call is
    /// what the script emitted during it.
    public var emittedRecords: Int {
        Int(luaflow_get_ctx(handle)!.pointee.emitted)
    }
}
