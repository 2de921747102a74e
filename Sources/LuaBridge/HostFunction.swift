import CLua
import CLuaShim

/// A Swift function callable from Lua. It reads its arguments from `args` and returns results;
/// a thrown error becomes a Lua error raised after the Swift frame returned (see the trampoline).
public typealias HostFunction = (HostArguments) throws -> [LuaValue]

/// The arguments of one host-function call.
public struct HostArguments {
    let L: OpaquePointer

    /// Number of arguments passed.
    public var count: Int { Int(lua_gettop(L)) }

    /// Argument `i` (1-based).
    public subscript(_ i: Int) -> LuaValue {
        LuaValue(at: Int32(i), in: L)
    }

    /// Argument `i` as a string, or an error naming the function and position.
    public func string(_ i: Int, function: String) throws -> String {
        guard let s = self[i].stringValue else {
            throw HostFunctionError("\(function): argument #\(i) must be a string, got \(typeName(i))")
        }
        return s
    }

    /// Argument `i` as raw bytes when it is a string (nil otherwise).
    public func bytes(_ i: Int) -> [UInt8]? {
        guard lua_type(L, Int32(i)) == LUA_TSTRING else { return nil }
        var len = 0
        let p = luaflow_tostring(L, Int32(i), &len)!
        return Array(UnsafeRawBufferPointer(start: p, count: len))
    }

    /// The Lua type name of argument `i`.
    public func typeName(_ i: Int) -> String {
        String(cString: lua_typename(L, lua_type(L, Int32(i))))
    }
}

/// An error a host function reports to the calling script.
public struct HostFunctionError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

final class HostFunctionBox {
    let body: HostFunction
    init(_ body: @escaping HostFunction) { self.body = body }
}

private let trampolineTarget: luaflow_host_fn = { L, userdata in
    let box = Unmanaged<HostFunctionBox>.fromOpaque(userdata!).takeUnretainedValue()
    do {
        let results = try box.body(HostArguments(L: L!))
        for r in results { r.push(L!) }
        return Int32(results.count)
    } catch {
        lua_pushstring(L, "\(error)")
        return -1
    }
}

extension LuaState {
    /// Stores a Swift function as `table[name]`; the state keeps the closure alive.
    public func register(_ name: String, in table: LuaRef, _ body: @escaping HostFunction) {
        checkOwner()
        let box = HostFunctionBox(body)
        retain(box)
        push(table)
        luaflow_push_host_function(handle, trampolineTarget, Unmanaged.passUnretained(box).toOpaque())
        lua_setfield(handle, -2, name)
        luaflow_pop(handle, 1)
    }
}
