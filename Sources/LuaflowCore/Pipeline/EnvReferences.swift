import LuaBridge

/// `env:NAME` values in node configs: every string of exactly that form, at any depth, is
/// replaced by the environment variable's value before the config reaches its node. An unset
/// variable is a config problem naming the key and the variable; resolved values are secrets.
enum EnvReferences {
    /// The `resolve(cfg) -> problems, values` function, in a sandboxed `lua`.
    static func resolver(in lua: LuaState) throws -> LuaRef {
        let chunk = try lua.load(BundledLua.envReferences.bytes, chunkName: BundledLua.envReferences.chunkName)
        lua.setEnvironment(of: chunk, to: try lua.makeEnvironment())
        return try lua.callReturningRef(chunk, refArgs: [lua.privileged])
    }
}
