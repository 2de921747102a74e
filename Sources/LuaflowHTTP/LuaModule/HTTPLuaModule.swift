import LuaBridge
import LuaflowCore

/// Installs `http` into every Lua node: sessions with auth, retries, rate limits and timeouts,
/// requests that read as synchronous code (they block only the node's own thread), and
/// host-side pagination.
public struct HTTPLuaModule: HostModule {
    let runtime: HTTPRuntime

    public init(runtime: HTTPRuntime = .shared) {
        self.runtime = runtime
    }

    public func install(into lua: LuaState, env: LuaRef, node: NodeContext) throws {
        if case .builtin("http") = node.spec.implementation {
            // `source.http` and `sink.http` take auth and headers from their config: register
            // those credentials now, before the connector's code runs.
            HTTPSessionConfig.credentials(inNodeConfig: node.spec.configJSON).forEach(Redactor.shared.add)
        }
        let binding = HTTPLuaBinding(runtime: runtime, stats: node.stats,
                                     lifetime: node.spec.role == .source ? node.spec.options.lifetime : nil)
        let host = lua.newTable()
        lua.register("session", in: host, Self.classified(binding.newSession))
        lua.register("request", in: host, Self.classified(binding.request))
        lua.register("paginate", in: host, Self.classified(binding.paginate))
        lua.register("next_page", in: host, Self.classified(binding.nextPage))
        lua.register("next_records", in: host, Self.classified(binding.nextRecords))
        lua.register("prefetch_page", in: host, Self.classified(binding.prefetchPage))
        lua.register("request_many", in: host, Self.classified(binding.requestMany))
        lua.register("many_result", in: host, Self.classified(binding.manyResult))
        lua.register("idempotency_key", in: host, binding.idempotencyKey)
        lua.register("link_next", in: host, binding.linkNext)
        lua.register("path_segment", in: host, binding.pathSegment)
        lua.register("sse_open", in: host, Self.classified(binding.openEventStream))
        lua.register("sse_next", in: host, Self.classified(binding.nextEvent))
        lua.register("ws_open", in: host, Self.classified(binding.openWebSocket))
        lua.register("ws_send", in: host, Self.classified(binding.sendMessage))
        lua.register("ws_receive", in: host, Self.classified(binding.receiveMessage))
        lua.register("stream_close", in: host, binding.closeStream)
        let prelude = try lua.load(BundledLua.http.bytes, chunkName: BundledLua.http.chunkName)
        lua.setEnvironment(of: prelude, to: env)
        let lib = try ConfigSchema.load(into: lua)
        let schemasChunk = try lua.load(BundledLua.httpSchemas.bytes, chunkName: BundledLua.httpSchemas.chunkName)
        lua.setEnvironment(of: schemasChunk, to: try lua.makeEnvironment())
        let schemas = try lua.callReturningRef(schemasChunk, refArgs: [])
        try lua.call(prelude, refArgs: [host, lib, schemas])
        defer { [host, lib, schemas].forEach(lua.release) }
        if case .builtin("http") = node.spec.implementation, node.spec.role == .source {
            try installResources(into: lua, env: env, node: node, lib: lib)
        }
    }

    /// Gives `source.http` its resources engine (`rest_resources.lua`, with the date arithmetic of
    /// `rest_time.lua` and `lib`, the config_schema module, for its "did you mean") as the global `http_resources`, and the functions pipeline.lua wrote in its
    /// config (`filter`, `map`) as `http_functions`, by setting path.
    private func installResources(into lua: LuaState, env: LuaRef, node: NodeContext, lib: LuaRef) throws {
        let functions = lua.newTable()
        defer { lua.release(functions) }
        for (path, bytecode) in node.spec.functions {
            let function = try lua.loadHostBinary(bytecode, chunkName: node.pipeline.file)
            defer { lua.release(function) }
            lua.setEnvironment(of: function, to: env)
            lua.setField(functions, path, ref: function)
        }
        lua.setField(env, "http_functions", ref: functions)
        let timeChunk = try lua.load(BundledLua.restTime.bytes, chunkName: BundledLua.restTime.chunkName)
        lua.setEnvironment(of: timeChunk, to: env)
        let time = try lua.callReturningRef(timeChunk, refArgs: [])
        defer { lua.release(time) }
        let engineChunk = try lua.load(BundledLua.restResources.bytes, chunkName: BundledLua.restResources.chunkName)
        lua.setEnvironment(of: engineChunk, to: env)
        let engine = try lua.callReturningRef(engineChunk, refArgs: [time, lib])
        defer { lua.release(engine) }
        lua.setField(env, "http_resources", ref: engine)
    }

    /// Raises HTTP failures into Lua with their error class first (`[transient] GET ... 503 ...`),
    /// so the host and scripts (`errors.class(err)`) can tell what to do.
    static func classified(_ body: @escaping HostFunction) -> HostFunction {
        { args in
            do { return try body(args) } catch let error as HTTPError {
                throw HostFunctionError(error.errorClass.map { "\($0.tag) \(error)" } ?? "\(error)")
            }
        }
    }

    /// The HTTP module, the `source.http` / `sink.http` built-ins and the streaming sources
    /// `source.sse` / `source.websocket`, for the runner.
    public static func extensions(runtime: HTTPRuntime = .shared) -> HostExtensions {
        HostExtensions(modules: [HTTPLuaModule(runtime: runtime)],
                       builtins: ["source.http": BuiltinScript(code: BundledLua.sourceHttp.source),
                                  "sink.http": BuiltinScript(code: BundledLua.sinkHttp.source)],
                       runtimes: ["source.sse": BuiltinRuntime(schema: BundledLua.sourceSse.source) { node in
                                      try SSESourceRuntime(node, runtime: runtime)
                                  },
                                  "source.websocket": BuiltinRuntime(schema: BundledLua.sourceWebsocket.source) { node in
                                      try WebSocketSourceRuntime(node, runtime: runtime)
                                  }],
                       onInterrupt: [{ runtime.cancelBlockingCalls() }])
    }
}
