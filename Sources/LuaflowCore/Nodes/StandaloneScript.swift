import Foundation
import LuaBridge

/// A connector script loaded on its own, outside a pipeline (`luaflow test`), through the same
/// path as a pipeline node: its own sandboxed environment, the host modules, `config` validated
/// against the script's `schema` (defaults, `env` fallbacks, unknown keys rejected), the global
/// `state` set as a run sets it for a source, and `init()` called. It lives in a state the caller
/// owns and drives.
public final class StandaloneScript {
    /// The script's global environment.
    public let env: LuaRef
    /// The node name messages use: `config.name`, else the script's file name without `.lua`.
    public let name: String

    /// Loads `path` (relative to `directory`, or absolute) with `configJSON` as its config.
    /// `caller` and `line` say where it was loaded from (`tests/users_test.lua`, 12), for messages.
    /// `stateJSON` is the global `state` (`{ cursor = ..., last_run = ... }`; nil: `{}`) that
    /// `init()` and the script read, unless the script sets its own.
    /// Throws `PipelineError` or `PipelineErrors` with the text `luaflow run` prints.
    public init(path: String, configJSON: [UInt8], stateJSON: [UInt8]? = nil, directory: String, caller: String, line: Int?,
                state lua: LuaState, extensions: HostExtensions) throws {
        let object = (try? JSONSerialization.jsonObject(with: Data(configJSON))) as? [String: Any] ?? [:]
        let base = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        name = object["name"] as? String ?? base
        let options = NodeOptions(config: object)
        let spec = NodeSpec(id: 1, role: .transform, name: name, implementation: .script(path: path),
                            configJSON: configJSON, options: options, line: line)
        var pipeline = PipelineSpec(file: caller, directory: directory, nodes: [spec], edges: [])
        pipeline.protectedFiles.protect(path.hasPrefix("/") ? path : directory + "/" + path)
        let node = try LuaScriptNode(spec: spec, pipeline: pipeline, stats: NodeStats(name: name, role: .transform),
                                 extensions: extensions, state: lua)
        env = node.env
        if lua.field(env, "state") == .nil {
            do {
                let table = try lua.decodeJSON(stateJSON ?? Array("{}".utf8))
                lua.setField(env, "state", ref: table)
                lua.release(table)
            } catch let error as LuaError {
                throw PipelineError(spec, phase: "state", lua: error)
            }
        }
        try node.callHook("init")
    }

    /// Installs the host modules of `extensions` (`http`...) into `env`, an environment that is
    /// no node's (a test file's own), as they are installed for a script at `path` in `directory`.
    public static func installModules(of extensions: HostExtensions, into lua: LuaState, env: LuaRef,
                                      path: String, directory: String) throws {
        let spec = NodeSpec(id: 0, role: .transform, name: path, implementation: .script(path: path),
                            configJSON: Array("{}".utf8), options: NodeOptions(), line: nil)
        let context = NodeContext(spec: spec, pipeline: PipelineSpec(file: path, directory: directory, nodes: [spec], edges: []),
                                  stats: NodeStats(name: path, role: .transform))
        for module in extensions.modules { try module.install(into: lua, env: env, node: context) }
    }
}
