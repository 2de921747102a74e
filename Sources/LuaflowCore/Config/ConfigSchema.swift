import Foundation
import LuaBridge

/// The one validator of connector config, in Lua: every node's config (scripts, built-ins written
/// in Lua and those written in Swift), `http.session{...}` and its nested tables are checked here
/// against `schema` tables, and `luaflow spec` turns the same tables into JSON Schema.
///
/// A schema is a table of fields; a field is a table:
///
///     { type = "string" | "secret" | "path" | "integer" | "number" | "boolean" | "url" | "email"
///              | "table" | "array" | "enum" | "any",
///       required, default, description, env, secret = true, min, max, exclusive_min,
///       min_length, max_length, length, pattern, values (enum),
///       fields = { ... }       -- a table with these settings only (unknown ones are errors)
///     A secret may not be the empty string unless its field says `min_length = 0`; one with
///     `redact = "url_password"` (a DSN) is never shown in messages, but only its password is redacted.
///       variants = { name = { ... } }, tag = "type"   -- more fields chosen by the value of `tag`
///       one_of = { "a", "b" }  -- exactly one of these settings is given
///       items = { ... }        -- each entry of an array
///       any_of = { {...}, {...} } }  -- the value matches one of these fields
///
/// The chunk returns `{ common, check, check_value, unknown, suggest, suggest_among, render, json_schema }`.
public enum ConfigSchema {
    /// Loads the module (lua/config_schema.lua) into `lua`, in an environment of its own, and
    /// returns its table.
    public static func load(into lua: LuaState) throws -> LuaRef {
        let chunk = try lua.load(BundledLua.configSchema.bytes, chunkName: BundledLua.configSchema.chunkName)
        lua.setEnvironment(of: chunk, to: try lua.makeEnvironment())
        return try lua.callReturningRef(chunk, refArgs: [])
    }

    /// The candidate closest to `name` by the validator's own rule (a typo or a prefix), or nil.
    public static func suggestion(for name: String, among candidates: [String]) -> String? {
        guard let lua = try? LuaState(instructionLimit: 0), (try? lua.installSandbox(roots: [], log: { _, _, _ in })) != nil,
              let module = try? load(into: lua),
              let request = try? JSONSerialization.data(withJSONObject: ["name": name, "candidates": candidates]),
              let fn = lua.functionRef(module, "suggest_among"),
              let result = try? lua.callJSON(fn, argument: Array(request)) else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(result), options: .fragmentsAllowed) as? String
    }
}
