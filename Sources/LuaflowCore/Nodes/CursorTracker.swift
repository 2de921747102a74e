import LuaBridge

/// Incremental sync for a script source that declares `cursor_field`: wraps its `get` (or `run`)
/// so every record it returns updates the running maximum of that field, which checkpoints commit,
/// and raises when none of the first records holds the field (a typo; `optional_fields` allows it).
struct CursorTracker {
    let field: String
    /// The wrapped `get`/`run` to call instead of the script's own.
    let function: LuaRef
    private let current: LuaRef
    private let setInitial: LuaRef
    private let lua: LuaState

    /// Wraps `function` (the script's `get` or `run`) when the script sets `cursor_field`.
    init?(node: LuaScriptNode, function fn: LuaRef, isGet: Bool) throws {
        guard case .string(let field) = node.lua.field(node.env, "cursor_field") else { return nil }
        lua = node.lua
        self.field = field
        // How errors name the setting: the script's global, or source.http's `incremental` table.
        var setting = "incremental.cursor_field"
        if case .script = node.spec.implementation { setting = "cursor_field (\(node.displayPath))" }
        let chunk = try lua.load(BundledLua.cursorField.bytes, chunkName: BundledLua.cursorField.chunkName)
        let refs = try lua.callReturningRefs(chunk, refArgs: [fn, lua.newString(field), try lua.jsonModule(), lua.newString(isGet ? "get" : "run"), node.env,
                                                                  try ConfigSchema.load(into: lua), lua.newString(setting)],
                                             results: 3)
        (function, current, setInitial) = (refs[0], refs[1], refs[2])
    }

    /// JSON of the largest value seen so far (with the keys of the records at it when the script
    /// declares `primary_key`: `{"value": max, "keys": {...}}`).
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
