import CLua
import CLuaShim

/// A scalar Lua value crossing the bridge. Tables cross as JSON (see `LuaState.pushJSON`).
public enum LuaValue: Sendable, Equatable, CustomStringConvertible {
    case `nil`
    case boolean(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    /// A Lua string that need not be UTF-8 (HTTP bodies, file contents).
    case bytes([UInt8])
    /// Records as JSON text, one valid record per line (the host checked each), that a `get()`
    /// source returns as they are: the batch loop copies the text without building Lua tables.
    /// Lua sees an opaque value whose length (`#`) is `count`.
    case recordLines([UInt8], count: Int)

    public var description: String {
        switch self {
        case .nil: return "nil"
        case .boolean(let b): return String(b)
        case .integer(let i): return String(i)
        case .number(let d): return String(d)
        case .string(let s): return s
        case .bytes(let b): return String(decoding: b, as: UTF8.self)
        case .recordLines(_, let count): return "records (\(count))"
        }
    }

    /// The value as a string when it is one (or a number, as Lua would convert it).
    public var stringValue: String? {
        switch self {
        case .string(let s): return s
        case .bytes, .integer, .number: return description
        default: return nil
        }
    }

    /// The value as an integer when it is one (or a float with an integral value).
    public var integerValue: Int64? {
        switch self {
        case .integer(let i): return i
        case .number(let d) where d.rounded() == d && abs(d) < 9.2e18: return Int64(d)
        default: return nil
        }
    }

    public var isNil: Bool { self == .nil }

    /// Pushes the value. stack: -> value
    func push(_ L: OpaquePointer) {
        switch self {
        case .nil: lua_pushnil(L)
        case .boolean(let b): lua_pushboolean(L, b ? 1 : 0)
        case .integer(let i): lua_pushinteger(L, lua_Integer(i))
        case .number(let d): lua_pushnumber(L, d)
        case .string(let s):
            var s = s
            s.withUTF8 { bytes in
                bytes.withMemoryRebound(to: CChar.self) { _ = lua_pushlstring(L, $0.baseAddress, $0.count) }
            }
        case .bytes(let b):
            b.withUnsafeBufferPointer { buf in
                buf.withMemoryRebound(to: CChar.self) { _ = lua_pushlstring(L, $0.baseAddress, $0.count) }
            }
        case .recordLines(let text, let count):
            text.withUnsafeBufferPointer { buf in
                buf.withMemoryRebound(to: CChar.self) { luaflow_push_record_lines(L, $0.baseAddress, $0.count, Int64(count)) }
            }
        }
    }

    /// Reads the value at `index`; tables, functions and userdata read as their type name.
    /// stack: unchanged
    init(at index: Int32, in L: OpaquePointer) {
        switch lua_type(L, index) {
        case LUA_TBOOLEAN: self = .boolean(lua_toboolean(L, index) != 0)
        case LUA_TNUMBER:
            if lua_isinteger(L, index) != 0 {
                self = .integer(Int64(lua_tointegerx(L, index, nil)))
            } else {
                self = .number(lua_tonumberx(L, index, nil))
            }
        case LUA_TSTRING:
            var len = 0
            let p = luaflow_tostring(L, index, &len)!
            self = .string(String(decoding: UnsafeRawBufferPointer(start: p, count: len), as: UTF8.self))
        case LUA_TNIL, LUA_TNONE: self = .nil
        default: self = .string("<\(String(cString: lua_typename(L, lua_type(L, index))))>")
        }
    }
}
