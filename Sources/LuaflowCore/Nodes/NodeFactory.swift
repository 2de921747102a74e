/// Builds the runtime of each node from its spec: scripts, inline functions and built-ins.
enum NodeFactory {
    static func make(_ spec: NodeSpec, pipeline: PipelineSpec, stats: NodeStats, options: RunOptions) throws -> NodeRuntime {
        let limit = options.limit
        let ext = options.extensions
        func script(_ code: [UInt8]? = nil, _ chunk: String? = nil) throws -> LuaScriptNode {
            try LuaScriptNode(spec: spec, pipeline: pipeline, stats: stats, extensions: ext, code: code, chunkName: chunk)
        }
        if case .builtin(let kind) = spec.implementation,
           let schema = FileSchemas.code(role: spec.role, kind: kind) ?? ext.runtimes[spec.what]?.schema {
            // Written in Swift: the config is checked against the connector's schema in a state of its own.
            _ = try script(Array(schema.utf8), "luaflow/\(spec.what).lua")
        }
        if let runtime = ext.runtimes[spec.what], case .builtin = spec.implementation {
            return try runtime.make(BuiltinNode(spec: spec, pipeline: pipeline, stats: stats, limit: limit))
        }
        switch (spec.role, spec.implementation) {
        case (.source, .builtin("file")):
            if options.backfill != nil {
                throw PipelineError(.config, node: spec.name, phase: "load", "--backfill: source.file does not read ranges; only sources that declare backfill (source.http with incremental) do")
            }
            return try FileSourceRuntime(spec: spec, pipeline: pipeline, stats: stats, limit: limit)
        case (.sink, .builtin("file")):
            return try FileSink.make(spec: spec, pipeline: pipeline, stats: stats)
        case (.sink, .builtin("stdout")):
            return try StdoutSinkRuntime(spec: spec, pipeline: pipeline, stats: stats)
        case (_, .builtin(let kind)):
            let name = "\(spec.role.rawValue).\(kind)"
            guard let code = builtinCode(name, extensions: ext) else {
                throw unknownBuiltin(spec, pipeline: pipeline, extensions: ext)
            }
            let node = try script(Array(code.utf8), "luaflow/\(name).lua")
            switch spec.role {
            case .source: return try LuaSourceRuntime(node: node, stats: stats, limit: limit, backfill: options.backfill)
            case .transform: return try LuaTransformRuntime(node: node, stats: stats)
            case .sink: return try LuaSinkRuntime(node: node, stats: stats, pipeline: pipeline)
            }
        case (.source, _):
            return try LuaSourceRuntime(node: script(), stats: stats, limit: limit, backfill: options.backfill)
        case (.transform, _):
            return try LuaTransformRuntime(node: script(), stats: stats)
        case (.sink, _):
            return try LuaSinkRuntime(node: script(), stats: stats, pipeline: pipeline)
        }
    }
}

extension NodeFactory {
    /// `sink.postgress`: no target provides it; names the closest built-in of the role.
    static func unknownBuiltin(_ spec: NodeSpec, pipeline: PipelineSpec, extensions: HostExtensions) -> PipelineError {
        let names = ConnectorSpec.builtinNames(extensions).filter { $0.hasPrefix(spec.role.rawValue + ".") }
        let hint = ConfigSchema.suggestion(for: spec.what, among: names).map { "did you mean \($0)? " } ?? ""
        return PipelineError(.config, node: spec.name, phase: "config",
                             "unknown built-in \(spec.what) (\(spec.declaredAt(pipeline.file))); \(hint)built-in \(spec.role.rawValue)s: \(names.joined(separator: ", "))")
    }

    /// The Lua of the built-in `name` (`source.http`): its code, or for a connector written in
    /// Swift its `schema` declaration. Nil for a name that is no built-in.
    static func builtinCode(_ name: String, extensions: HostExtensions) -> String? {
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, let role = NodeSpec.Role(rawValue: parts[0]) else { return nil }
        if let schema = FileSchemas.code(role: role, kind: parts[1]) ?? extensions.runtimes[name]?.schema { return schema }
        if name == "source.list" { return BundledLua.sourceList.source }
        return extensions.builtins[name]?.code
    }
}

