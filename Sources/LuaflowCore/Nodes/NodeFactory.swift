/// Builds the runtime of each node from its spec: scripts, inline functions and built-ins.
enum NodeFactory {
    static func make(_ spec: NodeSpec, pipeline: PipelineSpec, stats: NodeStats, options: RunOptions) throws -> NodeRuntime {
        let limit = options.limit
        let ext = options.extensions
        func script(_ code: [UInt8]? = nil, _ chunk: String? = nil) throws -> LuaScriptNode {
            try LuaScriptNode(spec: spec, pipeline: pipeline, stats: stats, extensions: ext, code: code, chunkName: chunk)
        }
        switch (spec.role, spec.implementation) {
        case (.source, .builtin("file")):
            return try FileSourceRuntime(spec: spec, pipeline: pipeline, stats: stats, limit: limit)
        case (.source, .builtin("list")):
            let node = try script(BundledLua.sourceList.bytes, BundledLua.sourceList.chunkName)
            return try LuaSourceRuntime(node: node, stats: stats, limit: limit)
        case (.sink, .builtin("file")):
            return try FileSinkRuntime(spec: spec, pipeline: pipeline, stats: stats)
        case (.sink, .builtin("stdout")):
            return try StdoutSinkRuntime(spec: spec, pipeline: pipeline, stats: stats)
        case (_, .builtin(let kind)):
            let name = "\(spec.role.rawValue).\(kind)"
            guard let builtin = ext.builtins[name] else {
                throw PipelineError(.config, node: spec.name, phase: "config", "unknown built-in \(name)")
            }
            let node = try script(Array(builtin.code.utf8), "luaflow/\(name).lua")
            switch spec.role {
            case .source: return try LuaSourceRuntime(node: node, stats: stats, limit: limit)
            case .transform: return try LuaTransformRuntime(node: node, stats: stats)
            case .sink: return try LuaSinkRuntime(node: node, stats: stats, pipeline: pipeline)
            }
        case (.source, _):
            return try LuaSourceRuntime(node: script(), stats: stats, limit: limit)
        case (.transform, _):
            return try LuaTransformRuntime(node: script(), stats: stats)
        case (.sink, _):
            return try LuaSinkRuntime(node: script(), stats: stats, pipeline: pipeline)
        }
    }
}
