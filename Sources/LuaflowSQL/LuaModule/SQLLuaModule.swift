import LuaBridge
import LuaflowCore

/// Installs `sql` into every Lua node: `sql.connect(dsn or path)`, `db:query` (an iterator over
/// streamed rows), `db:exec`, `db:transaction`. Parameters are always bound; a DSN must be one
/// the node's config holds and a SQLite file one the node's `io.open` may open; connections
/// close with the node.
public struct SQLLuaModule: HostModule {
    let runtime: SQLRuntime

    public init(runtime: SQLRuntime = .shared) {
        self.runtime = runtime
    }

    public func install(into lua: LuaState, env: LuaRef, node: NodeContext) throws {
        let binding = SQLLuaBinding(runtime: runtime, clock: SQLCallClock(lua), directory: node.pipeline.directory, config: node.spec.configJSON)
        let host = lua.newTable()
        lua.register("connect", in: host, Self.classified(binding.connect))
        lua.register("query", in: host, Self.classified(binding.query))
        lua.register("fetch", in: host, Self.classified(binding.fetch))
        lua.register("exec", in: host, Self.classified(binding.exec))
        lua.register("close", in: host, Self.classified(binding.close))
        let prelude = try lua.load(BundledLua.sql.bytes, chunkName: BundledLua.sql.chunkName)
        lua.setEnvironment(of: prelude, to: env)
        try lua.call(prelude, refArgs: [host])
        lua.release(host)
    }

    /// Raises database failures into Lua with their error class first (`[connection] ...`), so
    /// scripts (`errors.class(err)`) and the host can tell what to do.
    static func classified(_ body: @escaping HostFunction) -> HostFunction {
        { args in
            do { return try body(args) } catch let error as SQLError {
                throw HostFunctionError("sql: \(error)")
            }
        }
    }
}
