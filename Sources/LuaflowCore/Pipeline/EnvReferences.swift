import LuaBridge

/// `env:NAME` values in node configs: every string of exactly that form, at any depth, is
/// replaced by the environment variable's value before the config reaches its node. An unset
/// variable is a config problem naming the key and the variable; values resolved into settings
/// named like credentials (``CredentialNames``) are secrets. Other values (a base URL, a host) are
/// not: a secret setting of a script's schema, a DSN's password and HTTP credentials are registered
/// where they are read.
enum EnvReferences {
    /// The `resolve(cfg) -> problems, secrets, names` function, in a sandboxed `lua`.
    static func resolver(in lua: LuaState) throws -> LuaRef {
        let chunk = try lua.load(BundledLua.envReferences.bytes, chunkName: BundledLua.envReferences.chunkName)
        lua.setEnvironment(of: chunk, to: try lua.makeEnvironment())
        let host = lua.newTable()
        defer { lua.release(host) }
        lua.register("is_credential", in: host) { args in
            [.boolean(CredentialNames.containsSetting(try args.string(1, function: "is_credential")))]
        }
        return try lua.callReturningRef(chunk, refArgs: [lua.privileged, host])
    }
}
