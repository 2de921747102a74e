import Foundation
import LuaBridge

/// `luaflow discover`: the streams a source connector offers (`streams()` returning names or
/// `{ name = ... }` tables; without it, one stream named after the file) and, for each, a schema
/// inferred from the first records. A stream is selected by setting `config.stream` before the
/// script loads; records are read through `get(pagination, state)` or `run()` as a run reads them.
/// A Swift built-in named instead of a script (`source.postgres`) runs its own discovery
/// (``BuiltinRuntime/discover``).
public enum ConnectorDiscovery {
    /// Runs the connector on a dedicated thread (its HTTP calls block that thread only).
    public static func discover(script: String, configFile: [UInt8], sets: [(key: String, value: String)],
                                sample: Int, extensions: HostExtensions) throws -> [DiscoveredStream] {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<[DiscoveredStream], Error> = .success([])
        let thread = Thread {
            result = Result { try run(script: script, configFile: configFile, sets: sets, sample: sample, extensions: extensions) }
            done.signal()
        }
        thread.name = "luaflow:discover"
        thread.start()
        done.wait()
        return try result.get()
    }

    private static func run(script: String, configFile: [UInt8], sets: [(key: String, value: String)],
                            sample: Int, extensions: HostExtensions) throws -> [DiscoveredStream] {
        if !FileManager.default.fileExists(atPath: script), let discover = extensions.runtimes[script]?.discover {
            return try builtin(script, discover: discover, configFile: configFile, sets: sets, sample: sample)
        }
        let url = URL(fileURLWithPath: script)
        guard FileManager.default.isReadableFile(atPath: script) else {
            throw PipelineError(.config, "cannot read connector \(script): no such file")
        }
        let name = url.deletingPathExtension().lastPathComponent
        var pipeline = PipelineSpec(file: script, directory: url.deletingLastPathComponent().standardizedFileURL.path,
                                    nodes: [], edges: [], networkLine: nil)
        pipeline.protectedFiles.protect(url.path)
        pipeline.protectedFiles.hide(SQLiteStateBackend.defaultPath(forPipelineIn: pipeline.directory))
        func load(stream: String?, validate: Bool) throws -> LuaScriptNode {
            let config = try ConnectorConfig.build(fileJSON: configFile, sets: sets, stream: stream)
            let options = NodeOptions(config: (try? JSONSerialization.jsonObject(with: Data(config))) as? [String: Any] ?? [:])
            let spec = NodeSpec(id: 1, role: .source, name: name, implementation: .script(path: url.lastPathComponent),
                                configJSON: config, options: options, line: nil)
            return try LuaScriptNode(spec: spec, pipeline: pipeline, stats: NodeStats(name: name, role: .source),
                                     extensions: extensions, validate: validate)
        }
        let names = try streamNames(of: try load(stream: nil, validate: false))
        return try (names ?? [name]).map { stream in
            try self.sample(try load(stream: names == nil ? nil : stream, validate: true), stream: stream, limit: sample)
        }
    }

    /// The streams of the Swift built-in `name` (`source.postgres`), configured by the config
    /// file and `--set`s, relative paths starting at the current directory.
    private static func builtin(_ name: String, discover: @Sendable (BuiltinNode, Int) throws -> [DiscoveredStream],
                                configFile: [UInt8], sets: [(key: String, value: String)], sample: Int) throws -> [DiscoveredStream] {
        let config = try ConnectorConfig.build(fileJSON: configFile, sets: sets, stream: nil)
        let options = NodeOptions(config: (try? JSONSerialization.jsonObject(with: Data(config))) as? [String: Any] ?? [:])
        let kind = String(name.drop { $0 != "." }.dropFirst())
        let spec = NodeSpec(id: 1, role: .source, name: kind, implementation: .builtin(kind), configJSON: config, options: options, line: nil)
        let pipeline = PipelineSpec(file: "--set", directory: FileManager.default.currentDirectoryPath, nodes: [spec], edges: [], networkLine: nil)
        return try discover(BuiltinNode(spec: spec, pipeline: pipeline, stats: NodeStats(name: kind, role: .source), limit: sample), sample)
    }

    /// Reads up to `limit` records from the loaded source and infers their schema.
    private static func sample(_ node: LuaScriptNode, stream: String, limit: Int) throws -> DiscoveredStream {
        var result = DiscoveredStream(name: stream, records: 0, schema: InferredSchema())
        let source = try LuaSourceRuntime(node: node, stats: NodeStats(name: node.spec.name, role: .source), limit: limit)
        try source.open()
        while let batch = try source.next() {
            guard let bytes = batch.bytes else { continue }
            for line in RecordLines(bytes, count: batch.length) where !line.isEmpty {
                let text = UnsafeRawBufferPointer(start: bytes + line.lowerBound, count: line.count)
                result.schema.observe(try JSONSerialization.jsonObject(with: Data(text), options: [.fragmentsAllowed]))
                result.records += 1
            }
        }
        return result
    }

    /// What `streams()` returns, or nil when the script has no `streams()`.
    private static func streamNames(of node: LuaScriptNode) throws -> [String]? {
        guard let fn = node.function("streams") else { return nil }
        let expected = "streams() must return a list of stream names or { name = ... } tables"
        do {
            let list = try node.lua.callReturningRef(fn, refArgs: [])
            guard node.lua.typeName(list) == "table",
                  let items = try JSONSerialization.jsonObject(with: Data(node.lua.encodeJSON(list))) as? [Any] else {
                throw PipelineError(.config, node: node.spec.name, phase: "streams", "\(expected) (\(node.displayPath))")
            }
            return try items.map { item in
                if let s = item as? String { return s }
                if let t = item as? [String: Any], let s = t["name"] as? String { return s }
                throw PipelineError(.config, node: node.spec.name, phase: "streams", "\(expected), got an entry \(item) (\(node.displayPath))")
            }
        } catch let error as LuaError {
            throw PipelineError(node.spec, phase: "streams", lua: error)
        }
    }
}
