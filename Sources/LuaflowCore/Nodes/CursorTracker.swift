import LuaBridge

/// Incremental sync for a script source that declares `cursor_field`: wraps its `get` (or `run`)
/// so every record it returns updates the running maximum of that field, which checkpoints commit.
struct CursorTracker {
    let field: String
    /// The wrapped `get`/`run` to call instead of the script's own.
    let function: LuaRef
    private let current: LuaRef
    private let setInitial: LuaRef
    private let lua: LuaState

    private static let code = #"""
    local fn, field, json, kind = ...
    local max
    local function see(r)
      local v = type(r) == "table" and r[field] or nil
      if v == nil or v == json.null then return end
      if type(v) ~= "number" and type(v) ~= "string" then
        error(("cursor_field '%s' must hold numbers or strings, got a %s"):format(field, type(v)), 0)
      end
      if max == nil then max = v
      elseif type(v) ~= type(max) then
        error(("cursor_field '%s' holds both %ss and %ss"):format(field, type(max), type(v)), 0)
      elseif v > max then max = v end
    end
    local wrapped
    if kind == "get" then
      wrapped = function(pagination, state)
        local records, next = fn(pagination, state)
        if type(records) == "table" then for i = 1, #records do see(records[i]) end end
        return records, next
      end
    else
      wrapped = function()
        local r = fn()
        see(r)
        return r
      end
    end
    return wrapped,
      function() if max ~= nil then return json.encode(max) end end,
      function(text) if text == nil then max = nil else max = json.decode(text) end end
    """#

    /// Wraps `function` (the script's `get` or `run`) when the script sets `cursor_field`.
    init?(node: LuaScriptNode, function fn: LuaRef, isGet: Bool) throws {
        guard case .string(let field) = node.lua.field(node.env, "cursor_field") else { return nil }
        lua = node.lua
        self.field = field
        let chunk = try lua.load(Array(Self.code.utf8), chunkName: "luaflow/cursor_field.lua")
        let refs = try lua.callReturningRefs(chunk, refArgs: [fn, lua.newString(field), try lua.jsonModule(), lua.newString(isGet ? "get" : "run")],
                                             results: 3)
        (function, current, setInitial) = (refs[0], refs[1], refs[2])
    }

    /// JSON of the largest value seen so far.
    func maximum() throws -> String? {
        switch try lua.call(current, results: 1).first {
        case .string(let s): return s
        case .bytes(let b): return String(decoding: b, as: UTF8.self)
        default: return nil
        }
    }

    /// Starts the maximum at a committed cursor (nil: no value seen yet).
    func start(at json: String?) throws {
        _ = try lua.call(setInitial, [json.map { .string($0) } ?? .nil])
    }
}
