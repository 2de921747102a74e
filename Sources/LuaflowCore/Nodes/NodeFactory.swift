/// Builds the runtime of each node from its spec: scripts, inline functions and built-ins.
enum NodeFactory {
    static func make(_ spec: NodeSpec, pipeline: PipelineSpec, stats: NodeStats, limit: Int?) throws -> NodeRuntime {
        switch (spec.role, spec.implementation) {
        case (.source, .builtin("file")):
            return try FileSourceRuntime(spec: spec, pipeline: pipeline, stats: stats, limit: limit)
        case (.source, .builtin("list")):
            let node = try LuaScriptNode(spec: spec, pipeline: pipeline, code: Array(BuiltinScripts.listSource.utf8),
                                         chunkName: "luaflow/source.list.lua")
            return try LuaSourceRuntime(node: node, stats: stats, limit: limit)
        case (.sink, .builtin("file")):
            return try FileSinkRuntime(spec: spec, pipeline: pipeline, stats: stats)
        case (.sink, .builtin("stdout")):
            return try StdoutSinkRuntime(spec: spec, pipeline: pipeline, stats: stats)
        case (_, .builtin(let kind)):
            throw PipelineError(.config, node: spec.name, phase: "config", "unknown built-in \(spec.role.rawValue).\(kind)")
        case (.source, _):
            return try LuaSourceRuntime(node: LuaScriptNode(spec: spec, pipeline: pipeline), stats: stats, limit: limit)
        case (.transform, _):
            return try LuaTransformRuntime(node: LuaScriptNode(spec: spec, pipeline: pipeline), stats: stats)
        case (.sink, _):
            return try LuaSinkRuntime(node: LuaScriptNode(spec: spec, pipeline: pipeline), stats: stats)
        }
    }
}

/// Built-in nodes written in Lua, run through the same machinery as user scripts.
enum BuiltinScripts {
    static let listSource = """
    schema = { items = { type = "array", required = true, description = "the records to emit, in order" } }
    local i = 0
    function run()
      i = i + 1
      return config.items[i]
    end
    """
}
