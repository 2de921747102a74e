import Foundation
import LuaBridge

/// A node's script loaded into its own sandboxed state: config attached (empty while the top level
/// runs), top level run, the secrets the `schema` declares registered for redaction, config filled
/// in and validated against the schema. Everything here happens before any node starts.
final class LuaScriptNode {
    let spec: NodeSpec
    let lua: LuaState
    let env: LuaRef
    /// How messages name the script (`examples/quickstart/transforms/clean.lua`).
    let displayPath: String
    /// `every(seconds, fn)` timers the script's top level set (with `time.now` and `time.sleep`).
    let timers: NodeTimers

    /// Loads the node into its own state, or into `state` (fused stages share one, made by
    /// `makeState`). Throws `PipelineErrors` listing every problem found. `validate: false`
    /// skips the schema check (`discover` lists streams before a stream is chosen); secrets are
    /// registered either way.
    init(spec: NodeSpec, pipeline: PipelineSpec, stats: NodeStats, extensions: HostExtensions,
         code: [UInt8]? = nil, chunkName: String? = nil, state: LuaState? = nil, validate: Bool = true) throws {
        var spec = spec
        if case .builtin = spec.implementation { spec.builtinDeclaration = spec.declaredAt(pipeline.file) }
        self.spec = spec
        lua = try state ?? Self.makeState(for: [spec], pipeline: pipeline)
        env = try lua.makeEnvironment(label: spec.name, files: Self.fileAccess(spec, pipeline: pipeline))
        let context = NodeContext(spec: spec, pipeline: pipeline, stats: stats)
        try MetricsLuaModule().install(into: lua, env: env, node: context)
        timers = try NodeTimers.install(into: lua, env: env, role: spec.role)
        for module in extensions.modules { try module.install(into: lua, env: env, node: context) }
        try Self.installErrorsModule(lua, env: env)

        let source: [UInt8]
        switch spec.implementation {
        case .script(let path):
            displayPath = pipeline.display(path)
            let full = path.hasPrefix("/") ? path : pipeline.directory + "/" + path
            guard let data = FileManager.default.contents(atPath: full) else {
                throw PipelineError(.config, node: spec.name, phase: "load",
                                    "script \(displayPath) not found (declared at \(spec.declaredAt(pipeline.file)))")
            }
            source = Array(data)
        case .inline:
            displayPath = pipeline.file
            source = []
        case .builtin:
            displayPath = chunkName ?? "luaflow/\(spec.what).lua"
            source = code ?? []
        }

        let helpers = try Self.loadNodeConfigPrelude(lua)
        let config = try lua.decodeJSON(spec.configJSON)
        let othersSecrets = try lua.decodeJSON(Array(try JSONEncoder().encode(pipeline.variables(givenToOthersThan: spec))))
        try lua.call(lua.functionRef(helpers, "attach")!, refArgs: [env, config, othersSecrets])

        do {
            // Built-ins are host code that never prints its config: they may read it at their top
            // level (`source.http` sets `cursor_field` from it).
            if case .builtin = spec.implementation { _ = try lua.call(lua.functionRef(helpers, "reveal")!) }
            let chunk: LuaRef
            if case .inline(let bytecode) = spec.implementation {
                chunk = try lua.loadHostBinary(bytecode, chunkName: pipeline.file)
                lua.setEnvironment(of: chunk, to: env)
                lua.setField(env, "run", ref: chunk)
            } else {
                chunk = try lua.load(source, chunkName: displayPath)
                lua.setEnvironment(of: chunk, to: env)
                try lua.call(chunk)
            }
            timers.seal()
            // The schema is known now: its secrets are registered before any script code can see config.
            let secrets = try lua.callReturningRefs(lua.functionRef(helpers, "secrets")!, refArgs: [], results: 1)
            lua.stringArray(secrets[0]).forEach(Redactor.shared.add)
            _ = try lua.call(lua.functionRef(helpers, "reveal")!)
        } catch let error as LuaError {
            throw PipelineError(spec, phase: "load", lua: error)
        }

        guard validate else { return }
        let results = try lua.callReturningRefs(lua.functionRef(helpers, "validate")!, refArgs: [], results: 2)
        // Only a path the user wrote opens a directory: not a schema default, an environment
        // fallback or a value the script stored in its config.
        let userConfig = (try? JSONSerialization.jsonObject(with: Data(spec.configJSON))) as? [String: Any] ?? [:]
        for key in lua.stringArray(results[1]) {
            guard let path = userConfig[key] as? String else { continue }
            try lua.allowFiles(under: Self.directory(of: path, base: pipeline.directory), for: env)
        }
        let problems = try JSONDecoder().decode([ConfigProblem].self, from: Data(lua.stringBytes(results[0])))
        if !problems.isEmpty {
            var checkedBy: String? = displayPath
            if case .builtin = spec.implementation { checkedBy = nil }
            throw PipelineErrors(problems.map { $0.error(for: spec, pipeline: pipeline, checkedBy: checkedBy) })
        }
    }

    /// The script's global function `name`, if it defines one.
    func function(_ name: String) -> LuaRef? {
        lua.functionRef(env, name)
    }

    /// Whether the script defines the global function `name`.
    func defines(_ name: String) -> Bool {
        guard let ref = function(name) else { return false }
        lua.release(ref)
        return true
    }

    /// Requires a function of the node contract, with a message that says what to write.
    func required(_ name: String, signature: String) throws -> LuaRef {
        guard let ref = function(name) else {
            throw PipelineError(.config, node: spec.name, phase: "load",
                                "\(displayPath) defines no \(signature) function; a \(spec.role.rawValue) must define it")
        }
        return ref
    }

    /// Calls a hook such as `init()` if the script defines it.
    func callHook(_ name: String) throws {
        guard let fn = function(name) else { return }
        do {
            try lua.call(fn)
        } catch let error as LuaError {
            throw PipelineError(spec, phase: name, lua: error)
        }
    }

    /// Calls hook `name` with a JSON value (nil: no argument) and returns its result as JSON;
    /// nil when the script does not define it or it returned nothing.
    func callHook(_ name: String, json: [UInt8]?) throws -> [UInt8]? {
        guard let fn = function(name) else { return nil }
        defer { lua.release(fn) }
        do {
            return try lua.callJSON(fn, argument: json)
        } catch let error as LuaError {
            throw PipelineError(spec, phase: name, lua: error)
        }
    }

    /// A sandboxed state for `specs` (one node, or the members of a fused stage). Each script's
    /// environment gets its own `FileAccess` (``fileAccess(_:pipeline:)``).
    static func makeState(for specs: [NodeSpec], pipeline: PipelineSpec) throws -> LuaState {
        let lua = try LuaState(memoryLimit: specs.map(\.options.memoryLimitMB).max()! << 20,
                               instructionLimit: specs.map(\.options.instructionLimit).max()!,
                               timeLimit: specs.map(\.options.timeLimit).max()!,
                               maxRecordBytes: specs.map(\.options.maxRecordBytes).max()!)
        try lua.installSandbox(roots: [pipeline.directory]) { level, message, label in
            PipelineLog.logger.log(level: .init(luaLevel: level), "\(Redactor.shared.redact(message))", metadata: ["node": "\(label)"])
        }
        return lua
    }

    /// `errors.transient(...)` and the other classes of ``ErrorClass``.
    private static func installErrorsModule(_ lua: LuaState, env: LuaRef) throws {
        let chunk = try lua.load(BundledLua.errors.bytes, chunkName: BundledLua.errors.chunkName)
        try lua.call(chunk, refArgs: [env])
    }

    private static func loadNodeConfigPrelude(_ lua: LuaState) throws -> LuaRef {
        let chunk = try lua.load(BundledLua.nodeConfig.bytes, chunkName: BundledLua.nodeConfig.chunkName)
        lua.setEnvironment(of: chunk, to: try lua.makeEnvironment())
        return try lua.callReturningRef(chunk, refArgs: [lua.privileged, try ConfigSchema.load(into: lua)])
    }

    /// The files the script of `spec` may open: under the pipeline directory and the paths its
    /// user config names (``configuredPaths(_:base:)``), except the pipeline's protected files.
    static func fileAccess(_ spec: NodeSpec, pipeline: PipelineSpec) -> FileAccess {
        FileAccess(roots: ([pipeline.directory] + configuredPaths(spec.configJSON, base: pipeline.directory)).map(LuaState.resolvingSymlinks),
                   readOnly: pipeline.protectedFiles.readOnly, hidden: pipeline.protectedFiles.hidden)
    }

    /// Directories that config settings named `path`, `dir`, `file` or `*_path`/`*_dir`/`*_file`
    /// point at: scripts may use files there besides the pipeline directory.
    static func configuredPaths(_ configJSON: [UInt8], base: String) -> [String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(configJSON)) as? [String: Any] else { return [] }
        return object.compactMap { key, value in
            guard let path = value as? String,
                  ["path", "dir", "file"].contains(key) || key.hasSuffix("_path") || key.hasSuffix("_dir") || key.hasSuffix("_file")
            else { return nil }
            return directory(of: path, base: base)
        }
    }

    /// `path` (relative to `base`) when it is a directory, else the directory it is in.
    static func directory(of path: String, base: String) -> String {
        let absolute = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: base + "/")).standardizedFileURL
        var isDir: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: absolute.path, isDirectory: &isDir)
        return (exists && isDir.boolValue ? absolute : absolute.deletingLastPathComponent()).path
    }
}
