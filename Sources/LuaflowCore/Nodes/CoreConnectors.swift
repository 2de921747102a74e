/// The engine's own built-ins, registered like any target's: `source.file`, `sink.file` and
/// `sink.stdout` are written in Swift, their settings declared in lua/source.file.lua,
/// lua/sink.file.lua and lua/sink.stdout.lua; `source.list` is written in Lua. Every
/// ``HostExtensions`` starts with them.
enum CoreConnectors {
    static let runtimes: [String: BuiltinRuntime] = [
        "source.file": BuiltinRuntime(schema: BundledLua.sourceFile.source) { node in
            if node.backfill != nil {
                throw PipelineError(.config, node: node.spec.name, phase: "load",
                                    "--backfill: source.file does not read ranges; only sources that declare backfill (source.http with incremental) do")
            }
            return try FileSourceRuntime(spec: node.spec, pipeline: node.pipeline, stats: node.stats, limit: node.limit)
        },
        "sink.file": BuiltinRuntime(schema: BundledLua.sinkFile.source) { node in
            try FileSink.make(spec: node.spec, pipeline: node.pipeline, stats: node.stats)
        },
        "sink.stdout": BuiltinRuntime(schema: BundledLua.sinkStdout.source) { node in
            try StdoutSinkRuntime(spec: node.spec, pipeline: node.pipeline, stats: node.stats)
        },
    ]

    static let builtins: [String: BuiltinScript] = [
        "source.list": BuiltinScript(code: BundledLua.sourceList.source),
    ]
}
