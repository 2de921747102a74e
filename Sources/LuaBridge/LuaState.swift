import CLua
import CLuaShim
import Foundation

/// A reference to a Lua value kept alive in a state's registry. Its registry id stays inside
/// LuaBridge: other targets hand the reference back to `LuaState`, never to C.
public struct LuaRef: Sendable, Hashable {
    let id: Int32
}

/// One `lua_State` behind a safe API: every call into Lua is protected, errors come back as
/// `LuaError`, and the state has a memory limit and a per-call instruction budget.
/// A state is used by one thread at a time: `claim()` moves ownership to the calling thread and
/// every entry point checks it in debug builds.
public final class LuaState {
    /// The raw state. Only LuaBridge reaches it: everything else goes through the typed API.
    let handle: OpaquePointer
    /// Byte limit of the allocator, host buffers a call fills included (0 = none); instruction
    /// budget per call (0 = none); wall-clock seconds per call, time in host functions excluded
    /// (0 = none); JSON size of one output record (0 = none).
    public let memoryLimit: Int
    public let instructionLimit: Int
    public let timeLimit: Double
    public let maxRecordBytes: Int
    private var owner: pthread_t
    private var hostFunctions: [HostFunctionBox] = []
    /// The sandbox's environment factory, once `installSandbox` ran.
    var makeEnvironmentRef: LuaRef?
    var privilegedRef: LuaRef?

    public init(memoryLimit: Int = 256 << 20, instructionLimit: Int = 500_000_000, timeLimit: Double = 60,
                maxRecordBytes: Int = 64 << 20) throws {
        guard let L = luaflow_state_new(memoryLimit, Int64(instructionLimit)) else {
            throw LuaError(kind: .memoryLimit, message: "cannot create a Lua state: out of memory")
        }
        handle = L
        self.memoryLimit = memoryLimit
        self.instructionLimit = instructionLimit
        self.timeLimit = timeLimit
        self.maxRecordBytes = maxRecordBytes
        let ctx = luaflow_get_ctx(L)!
        ctx.pointee.time_limit_ns = Int64(min(timeLimit, 1e9) * 1e9)
        ctx.pointee.max_record_bytes = maxRecordBytes
        owner = pthread_self()
    }

    deinit {
        luaflow_state_close(handle)
    }

    /// The Lua release the host was built against, e.g. "Lua 5.4.6".
    public static var release: String { String(cString: luaflow_lua_release()) }

    /// Bytes the state's Lua values take now.
    public var memoryInUse: Int {
        checkOwner()
        return Int(luaflow_get_ctx(handle)!.pointee.mem_used)
    }

    /// Instructions the state has run, counted in steps of the budget hook (10,000 instructions).
    public var instructionsExecuted: Int {
        checkOwner()
        return Int(luaflow_get_ctx(handle)!.pointee.instr_total)
    }

    /// Makes the calling thread the state's owner.
    public func claim() {
        owner = pthread_self()
    }

    @inline(__always)
    func checkOwner() {
        assert(pthread_equal(owner, pthread_self()) != 0, "a lua_State was used from a thread that does not own it")
    }

    // MARK: Loading and calling

    /// Compiles text code (binary chunks are refused). The chunk name is shown in messages, so
    /// pass the script path. Throws a `.syntax` error with `file:line`.
    public func load(_ code: [UInt8], chunkName: String) throws -> LuaRef {
        try load(code, chunkName: "@" + chunkName, with: luaflow_load_text)
    }

    /// Loads a chunk that the host itself dumped (inline functions of pipeline.lua).
    public func loadHostBinary(_ code: [UInt8], chunkName: String) throws -> LuaRef {
        try load(code, chunkName: "=" + chunkName, with: luaflow_load_binary)
    }

    private func load(_ code: [UInt8], chunkName: String,
                      with loader: (OpaquePointer?, UnsafePointer<CChar>?, Int, UnsafePointer<CChar>?) -> Int32) throws -> LuaRef {
        checkOwner()
        let status = code.withUnsafeBufferPointer { buf in
            buf.withMemoryRebound(to: CChar.self) { loader(handle, $0.baseAddress, $0.count, chunkName) }
        }
        try check(status, kind: .syntax)
        return popRef()
    }

    /// Sets the `_ENV` of a loaded function to `env`.
    public func setEnvironment(of function: LuaRef, to env: LuaRef) {
        checkOwner()
        push(function)
        push(env)
        _ = luaflow_set_function_env(handle, -2)
        luaflow_pop(handle, 1)
    }

    /// Calls `function` with `args` and returns `results` results. stack: unchanged
    @discardableResult
    public func call(_ function: LuaRef, _ args: [LuaValue] = [], results: Int32 = 0) throws -> [LuaValue] {
        try call(function, args.count, results: results) { for a in args { a.push(handle) } }
    }

    /// Calls `function` with registry values as arguments and returns `results` results.
    /// stack: unchanged
    @discardableResult
    public func call(_ function: LuaRef, refArgs: [LuaRef], results: Int32 = 0) throws -> [LuaValue] {
        try call(function, refArgs.count, results: results) { for a in refArgs { push(a) } }
    }

    /// Calls `function` with arguments pushed by `pushArgs`, converting results to `LuaValue`.
    @discardableResult
    func call(_ function: LuaRef, _ nargs: Int, results: Int32, pushArgs: () throws -> Void) throws -> [LuaValue] {
        checkOwner()
        let top = lua_gettop(handle)
        push(function)
        try pushArgs()
        let status = luaflow_pcall(handle, Int32(nargs), results)
        try check(status, kind: .runtime)
        let values = (0..<results).map { LuaValue(at: top + 1 + $0, in: handle) }
        lua_settop(handle, top)
        return values
    }

    /// Calls `function` with registry values as arguments and keeps its first result.
    public func callReturningRef(_ function: LuaRef, refArgs: [LuaRef]) throws -> LuaRef {
        try callReturningRefs(function, refArgs: refArgs, results: 1)[0]
    }

    /// Calls `function` with registry values as arguments and keeps `results` results.
    public func callReturningRefs(_ function: LuaRef, refArgs: [LuaRef], results: Int32) throws -> [LuaRef] {
        checkOwner()
        push(function)
        for a in refArgs { push(a) }
        try check(luaflow_pcall(handle, Int32(refArgs.count), results), kind: .runtime)
        return (0..<results).map { _ in popRef() }.reversed()
    }

    /// Calls `function` with one argument decoded from JSON (nil when `json` is nil) and returns
    /// its first result encoded as JSON (nil when it returned nil): how host state such as a
    /// sink's checkpoint token travels in and out of a script.
    public func callJSON(_ function: LuaRef, argument json: [UInt8]?) throws -> [UInt8]? {
        checkOwner()
        let argument = try json.map(decodeJSON) ?? LuaRef(id: LUA_REFNIL)
        defer { release(argument) }
        let result = try callReturningRef(function, refArgs: [argument])
        defer { release(result) }
        return typeName(result) == "nil" ? nil : try encodeJSON(result)
    }

    // MARK: Tables

    /// Reads `table[key]`.
    public func field(_ table: LuaRef, _ key: String) -> LuaValue {
        checkOwner()
        push(table)
        lua_rawget_string(key)
        let v = LuaValue(at: -1, in: handle)
        luaflow_pop(handle, 2)
        return v
    }

    /// Keeps `table[key]` in the registry when it is a function.
    public func functionRef(_ table: LuaRef, _ key: String) -> LuaRef? {
        checkOwner()
        push(table)
        lua_rawget_string(key)
        guard luaflow_isfunction(handle, -1) != 0 else {
            luaflow_pop(handle, 2)
            return nil
        }
        let ref = popRef()
        luaflow_pop(handle, 1)
        return ref
    }

    /// Keeps `table[key]` in the registry whatever it is (nil included).
    public func fieldRef(_ table: LuaRef, _ key: String) -> LuaRef {
        checkOwner()
        push(table)
        lua_rawget_string(key)
        let ref = popRef()
        luaflow_pop(handle, 1)
        return ref
    }

    /// Sets `table[key] = value`.
    public func setField(_ table: LuaRef, _ key: String, _ value: LuaValue) {
        setField(table, key) { value.push(handle) }
    }

    /// Sets `table[key]` to the value at `ref`.
    public func setField(_ table: LuaRef, _ key: String, ref: LuaRef) {
        setField(table, key) { push(ref) }
    }

    private func setField(_ table: LuaRef, _ key: String, pushValue: () -> Void) {
        checkOwner()
        push(table)
        pushValue()
        lua_setfield(handle, -2, key)
        luaflow_pop(handle, 1)
    }

    /// The bytes of the string at `table[index]` (empty when it is not a string).
    public func bytes(_ table: LuaRef, _ index: Int) -> [UInt8] {
        checkOwner()
        push(table)
        lua_rawgeti(handle, -1, lua_Integer(index))
        var len = 0
        var result: [UInt8] = []
        if lua_type(handle, -1) == LUA_TSTRING, let p = luaflow_tostring(handle, -1, &len) {
            result = Array(UnsafeRawBufferPointer(start: p, count: len))
        }
        luaflow_pop(handle, 2)
        return result
    }

    /// A new registry value holding `string`.
    public func newString(_ string: String) -> LuaRef {
        checkOwner()
        LuaValue.string(string).push(handle)
        return popRef()
    }

    /// The bytes of the string at `ref`.
    public func stringBytes(_ ref: LuaRef) -> [UInt8] {
        checkOwner()
        push(ref)
        var len = 0
        var result: [UInt8] = []
        if let p = luaflow_tostring(handle, -1, &len) { result = Array(UnsafeRawBufferPointer(start: p, count: len)) }
        luaflow_pop(handle, 1)
        return result
    }

    /// The string elements 1..n of the array at `ref`.
    public func stringArray(_ ref: LuaRef) -> [String] {
        checkOwner()
        push(ref)
        defer { luaflow_pop(handle, 1) }
        guard luaflow_istable(handle, -1) != 0 else { return [] }
        let n = lua_rawlen(handle, -1)
        var result: [String] = []
        for i in 0..<n {
            lua_rawgeti(handle, -1, lua_Integer(i + 1))
            if let s = LuaValue(at: -1, in: handle).stringValue { result.append(s) }
            luaflow_pop(handle, 1)
        }
        return result
    }

    /// A new empty table.
    public func newTable() -> LuaRef {
        checkOwner()
        luaflow_newtable(handle)
        return popRef()
    }

    /// The type name of the value at `ref` (`"table"`, `"function"`, `"nil"`...).
    public func typeName(_ ref: LuaRef) -> String {
        checkOwner()
        push(ref)
        let name = String(cString: lua_typename(handle, lua_type(handle, -1)))
        luaflow_pop(handle, 1)
        return name
    }

    // MARK: JSON

    /// Decodes JSON text into a new value kept in the registry.
    public func decodeJSON(_ json: [UInt8]) throws -> LuaRef {
        checkOwner()
        let status = json.withUnsafeBufferPointer { buf in
            buf.withMemoryRebound(to: CChar.self) { luaflow_decode_protected(handle, $0.baseAddress, $0.count) }
        }
        try check(status, kind: .runtime)
        return popRef()
    }

    /// Encodes the value at `ref` as JSON text.
    public func encodeJSON(_ ref: LuaRef) throws -> [UInt8] {
        checkOwner()
        var buf = luaflow_buf()
        luaflow_buf_init(&buf)
        defer { luaflow_buf_free(&buf) }
        push(ref)
        try check(luaflow_encode_protected(handle, &buf), kind: .runtime)
        return Array(UnsafeRawBufferPointer(start: buf.data, count: buf.len))
    }

    /// The `json` module (encode, decode, null, array), for host code in a state without a sandbox.
    public func jsonModule() throws -> LuaRef {
        checkOwner()
        try check(luaflow_push_host_helpers(handle), kind: .runtime)
        let helpers = popRef()
        defer { release(helpers) }
        return fieldRef(helpers, "json")
    }

    // MARK: Registry

    /// Pushes the value at `ref`. stack: -> value
    func push(_ ref: LuaRef) {
        luaflow_getref(handle, ref.id)
    }

    /// Pops the top value into the registry. stack: value ->
    func popRef() -> LuaRef {
        LuaRef(id: luaflow_ref(handle))
    }

    /// Drops the registry's hold on `ref`'s value.
    public func release(_ ref: LuaRef) {
        checkOwner()
        luaflow_unref(handle, ref.id)
    }

    // MARK: Errors

    /// Turns a non-OK status into a `LuaError`, popping the message. Budget and memory-limit
    /// failures are reported as such, whatever message the script saw.
    func check(_ status: Int32, kind: LuaError.Kind) throws {
        guard status != LUA_OK else { return }
        throw popError(status: status, kind: kind)
    }

    /// Pops the error message on top of the stack into a `LuaError`.
    func popError(status: Int32, kind: LuaError.Kind) -> LuaError {
        var len = 0
        let raw: String
        if let p = luaflow_tostring(handle, -1, &len) {
            raw = String(decoding: UnsafeRawBufferPointer(start: p, count: len), as: UTF8.self)
        } else {
            raw = "(error object is not a string)"
        }
        luaflow_pop(handle, 1)
        let ctx = luaflow_get_ctx(handle)!
        var error = LuaError(kind: kind, rawMessage: raw)
        if let killed = luaflow_kill_message(handle) {
            // Wherever the script caught or rethrew it, the kill is reported where it happened.
            error = LuaError(kind: Int(ctx.pointee.killed) == Int(LUAFLOW_KILL_TIMEOUT) ? .timeLimit : .instructionBudget,
                             message: String(cString: killed), traceback: error.traceback)
        } else if status == LUA_ERRMEM || ctx.pointee.mem_exceeded != 0 {
            error.kind = .memoryLimit
            let mb = memoryLimit >> 20
            // Lua's own memory errors carry no position: use where the allocator refused.
            error.location = error.location ?? luaflow_memory_location(handle).flatMap { SourceLocation(parsingPrefixOf: String(cString: $0) + ":") }
            error.message = (error.location.map { "\($0): " } ?? "")
                + "memory limit of \(mb) MB exceeded (raise the node's memory_limit if the data needs it)"
        }
        luaflow_reset_budget(handle)
        return error
    }

    func retain(_ box: HostFunctionBox) {
        hostFunctions.append(box)
    }

    private func lua_rawget_string(_ key: String) {
        lua_pushstring(handle, key)
        lua_rawget(handle, -2)
    }
}
