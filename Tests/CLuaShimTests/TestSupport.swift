// Helpers shared by the CLuaShim tests: a Lua state with the json module, protected calls of the
// C codec functions (they raise Lua errors, so they only run inside lua_pcallk), and a driver that
// feeds the incremental CSV reader / JSON splitter the way the host does.
import CLua
import CLuaShim

struct LuaError: Error, CustomStringConvertible, Equatable {
    let message: String
    var description: String { message }
}

/// Text of a NUL-terminated C string held in an array.
func cString(_ chars: [CChar]) -> String {
    let bytes = chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
}

/// Bytes of a Lua string at `idx`.
func luaBytes(_ L: OpaquePointer, _ idx: Int32) -> [UInt8] {
    var len = 0
    guard let p = lua_tolstring(L, idx, &len) else { return [] }
    return p.withMemoryRebound(to: UInt8.self, capacity: len) { Array(UnsafeBufferPointer(start: $0, count: len)) }
}

func luaString(_ L: OpaquePointer, _ idx: Int32) -> String {
    String(decoding: luaBytes(L, idx), as: UTF8.self)
}

func bufString(_ b: luaflow_buf) -> String {
    guard let data = b.data else { return "" }
    return data.withMemoryRebound(to: UInt8.self, capacity: b.len) {
        String(decoding: UnsafeBufferPointer(start: $0, count: b.len), as: UTF8.self)
    }
}

/// decode(text) -> value; also checks that exactly one value was pushed.
let decodeFn: lua_CFunction = { L in
    var n = 0
    let s = lua_tolstring(L, 1, &n)
    let top = lua_gettop(L)
    luaflow_json_decode_push(L, s, n)
    if lua_gettop(L) != top + 1 { lua_pushstring(L, "decode changed the stack wrongly"); return lua_error(L) }
    return 1
}

/// encode(value, buf) appends to the luaflow_buf passed as light userdata; checks the stack.
let encodeFn: lua_CFunction = { L in
    let buf = lua_touserdata(L, 2)!.assumingMemoryBound(to: luaflow_buf.self)
    let top = lua_gettop(L)
    luaflow_json_encode_append(L, 1, buf)
    if lua_gettop(L) != top { lua_pushstring(L, "encode changed the stack"); return lua_error(L) }
    return 0
}

final class LuaState {
    let L: OpaquePointer

    init() {
        L = luaL_newstate()!
        luaL_openlibs(L)
        luaL_requiref(L, "json", luaflow_open_json, 1)
        lua_settop(L, 0)
    }

    deinit { lua_close(L) }

    var top: Int32 { lua_gettop(L) }

    /// Calls `fn` with the arguments pushed by `args` in protected mode, leaving `nresults`.
    func call(_ fn: lua_CFunction, nresults: Int32 = 1, _ args: (OpaquePointer) -> Int32) throws {
        lua_pushcclosure(L, fn, 0)
        let nargs = args(L)
        if lua_pcallk(L, nargs, nresults, 0, 0, nil) != LUA_OK {
            let msg = luaString(L, -1)
            lua_settop(L, -2)
            throw LuaError(message: msg)
        }
    }

    /// Runs Lua code; returns the first result as text (luaL_tolstring), or throws its error.
    @discardableResult
    func eval(_ code: String) throws -> String {
        let base = top
        guard luaL_loadstring(L, code) == LUA_OK else { throw LuaError(message: luaString(L, -1)) }
        if lua_pcallk(L, 0, 1, 0, 0, nil) != LUA_OK {
            let msg = luaString(L, -1)
            lua_settop(L, base)
            throw LuaError(message: msg)
        }
        luaL_tolstring(L, -1, nil)
        let s = luaString(L, -1)
        lua_settop(L, base)
        return s
    }

    /// Pushes the result of a Lua expression.
    func push(_ expr: String) throws {
        guard luaL_loadstring(L, "return " + expr) == LUA_OK, lua_pcallk(L, 0, 1, 0, 0, nil) == LUA_OK else {
            throw LuaError(message: luaString(L, -1))
        }
    }

    /// Decodes JSON bytes with luaflow_json_decode_push, leaving the value on the stack.
    func decode(_ json: [UInt8]) throws {
        try call(decodeFn) { L in
            json.withUnsafeBufferPointer { p in
                p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(p.count, 1)) {
                    _ = lua_pushlstring(L, $0, p.count)
                }
            }
            return 1
        }
    }

    func decode(_ json: String) throws { try decode(Array(json.utf8)) }

    /// Encodes and pops the value at the top of the stack with luaflow_json_encode_append.
    func encodeTop() throws -> String {
        var buf = luaflow_buf()
        luaflow_buf_init(&buf)
        defer { luaflow_buf_free(&buf) }
        defer { lua_settop(L, -2) }
        try withUnsafeMutablePointer(to: &buf) { bp in
            try call(encodeFn, nresults: 0) { L in
                lua_pushvalue(L, -2)
                lua_pushlightuserdata(L, bp)
                return 2
            }
        }
        return bufString(buf)
    }

    /// Encodes the value of a Lua expression.
    func encode(_ expr: String) throws -> String {
        try push(expr)
        return try encodeTop()
    }

    func roundTrip(_ json: String) throws -> String {
        try decode(json)
        return try encodeTop()
    }

    func errorOf(_ body: () throws -> Void) -> String? {
        do { try body() } catch let e as LuaError { return e.message } catch { return "\(error)" }
        return nil
    }
}

/// The output buffers an incremental reader (CSV reader, JSON splitter) writes into, freed with it.
final class ReaderBuffers {
    var out = luaflow_buf()
    var lines = luaflow_i64buf()
    var bad = luaflow_bad_record()
    var err = [CChar](repeating: 0, count: 256)

    init() {
        luaflow_buf_init(&out)
        luaflow_i64buf_init(&lines)
    }

    deinit {
        luaflow_buf_free(&out)
        luaflow_i64buf_free(&lines)
    }
}

/// A record a reader left out: its line, its bytes and what was wrong.
struct BadRecord: Equatable {
    var line: Int64
    var bytes: [UInt8]
    var message: String
}

/// Result of feeding an incremental reader.
struct SplitResult: Equatable {
    var records: [String] = []
    var lines: [Int64] = []
    var bad: [BadRecord] = []
    var error: String? = nil
}

typealias IncrementalFn = (UnsafePointer<CChar>?, Int, Int32, UnsafeMutablePointer<luaflow_buf>,
                           UnsafeMutablePointer<luaflow_i64buf>, UnsafeMutablePointer<luaflow_bad_record>,
                           UnsafeMutablePointer<CChar>, Int) -> Int

/// The message of a bad record.
func badMessage(_ bad: luaflow_bad_record) -> String {
    withUnsafeBytes(of: bad.message) { cString(Array($0.bindMemory(to: CChar.self))) }
}

/// Feeds `input` in chunks of `chunk` bytes the way the host does: unconsumed bytes are passed
/// again together with the next chunk, and the rest with at_eof at the end.
func feed(_ input: [UInt8], chunk: Int, _ fn: IncrementalFn) -> SplitResult {
    let b = ReaderBuffers()
    var pending: [UInt8] = []
    var result = SplitResult()
    var offset = 0
    var failed = false
    func step(_ atEOF: Bool) {
        while true {
            let consumed = pending.withUnsafeBufferPointer { p in
                p.withMemoryRebound(to: CChar.self) { c in
                    fn(c.baseAddress, c.count, atEOF ? 1 : 0, &b.out, &b.lines, &b.bad, &b.err, b.err.count)
                }
            }
            if consumed < 0 {
                result.error = cString(b.err)
                failed = true
                return
            }
            precondition(consumed <= pending.count)
            let found = b.bad.found != 0
            if found {
                let bytes = Array(pending[b.bad.start..<(b.bad.start + b.bad.len)])
                result.bad.append(BadRecord(line: b.bad.line, bytes: bytes, message: badMessage(b.bad)))
            }
            pending.removeFirst(consumed)
            if found { continue }
            if atEOF && !pending.isEmpty {
                result.error = "not everything consumed at EOF: \(consumed) consumed, \(pending.count) left"
                failed = true
            }
            return
        }
    }
    while offset < input.count && !failed {
        let end = min(offset + chunk, input.count)
        pending += input[offset..<end]
        offset = end
        step(false)
    }
    if !failed { step(true) }
    let text = bufString(b.out) // split on LF bytes: "\r\n" is one Character
    result.records = text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) }
    if let data = b.lines.data { result.lines = Array(UnsafeBufferPointer(start: data, count: b.lines.len)) }
    return result
}

func readCSV(_ input: [UInt8], chunk: Int = 1 << 20, delimiter: CChar = 44) -> SplitResult {
    guard let r = luaflow_csv_reader_new(delimiter) else { return SplitResult(error: "reader_new failed") }
    defer { luaflow_csv_reader_free(r) }
    return feed(input, chunk: chunk) { luaflow_csv_read(r, $0, $1, $2, $3, $4, $5, $6, $7) }
}

func readCSV(_ input: String, chunk: Int = 1 << 20, delimiter: Character = ",") -> SplitResult {
    readCSV(Array(input.utf8), chunk: chunk, delimiter: CChar(delimiter.asciiValue!))
}

func splitJSON(_ input: [UInt8], chunk: Int = 1 << 20) -> SplitResult {
    guard let s = luaflow_json_splitter_new() else { return SplitResult(error: "splitter_new failed") }
    defer { luaflow_json_splitter_free(s) }
    return feed(input, chunk: chunk) { luaflow_json_split(s, $0, $1, $2, $3, $4, $5, $6, $7) }
}

func splitJSON(_ input: String, chunk: Int = 1 << 20) -> SplitResult {
    splitJSON(Array(input.utf8), chunk: chunk)
}

/// Feeds the line reader (JSON Lines, or text lines with `text`).
func readLines(_ input: [UInt8], text: Bool = false, chunk: Int = 1 << 20) -> SplitResult {
    guard let r = luaflow_lines_reader_new(text ? 1 : 0) else { return SplitResult(error: "reader_new failed") }
    defer { luaflow_lines_reader_free(r) }
    return feed(input, chunk: chunk) { luaflow_lines_read(r, $0, $1, $2, $3, $4, $5, $6, $7) }
}

/// luaflow_utf8_check as (valid, offset of the bad byte, message).
func checkUTF8(_ bytes: [UInt8]) -> (valid: Bool, offset: Int, message: String) {
    var msg = [CChar](repeating: 0, count: 96)
    var offset = -1
    let ok = bytes.withUnsafeBufferPointer { p in
        p.withMemoryRebound(to: CChar.self) { luaflow_utf8_check($0.baseAddress, $0.count, &offset, &msg, msg.count) }
    }
    return (ok == 1, offset, cString(msg))
}

/// luaflow_json_validate as (valid, message).
func validateJSON(_ text: String) -> (Bool, String) {
    var err = [CChar](repeating: 0, count: 200)
    let bytes = Array(text.utf8)
    let ok = bytes.withUnsafeBufferPointer { p in
        p.withMemoryRebound(to: CChar.self) { luaflow_json_validate($0.baseAddress, $0.count, &err, err.count) }
    }
    return (ok == 1, ok == 1 ? "" : cString(err))
}
