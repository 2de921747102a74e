import Foundation
import LuaBridge

/// Evaluates pipeline.lua in a sandboxed state and returns what it declared.
public enum PipelineLoader {
    /// A `--set node.key=value` override.
    public struct Override: Sendable, Encodable {
        public var lhs: String
        public var value: String

        /// Parses `node.key=value`.
        public init?(_ text: String) {
            guard let eq = text.firstIndex(of: "="), text[..<eq].contains(".") else { return nil }
            lhs = String(text[..<eq])
            value = String(text[text.index(after: eq)...])
        }
    }

    private struct Exported: Decodable {
        struct Node: Decodable {
            var id: Int
            var role: String
            var kind: String
            var name: String
            var line: Int?
            var target: String?
            var config: String
            var origins: [String: String]?
            /// A built-in's config functions: setting path → index of its bytecode.
            var functions: [String: Int]?
            /// The environment variables its config named as `env:NAME`.
            var env_names: [String]?
            /// The default name an earlier release gave the node, when it differs.
            var former_name: String?
        }
        struct Pipeline: Decodable {
            var name: String
        }
        struct Edge: Decodable {
            var from: Int
            var to: Int
            var line: Int?
        }
        struct Problem: Decodable {
            var node: String
            var line: Int?
            var message: String

            /// The setting the message is about (`config.auth.token: ...` → `auth.token`), if any.
            var setting: String {
                guard message.hasPrefix("config."), let colon = message.firstIndex(of: ":") else { return "" }
                return String(message[message.index(message.startIndex, offsetBy: 7)..<colon])
            }
        }
        var nodes: [Node]
        var edges: [Edge]
        var network_line: Int?
        var problems: [Problem]
        var secrets: [String]
        /// `pipeline { name = ... }`, when declared.
        var pipeline: Pipeline?
    }

    /// Loads `file`. `nodeConfigs` is a JSON object from a config file, node name → settings,
    /// merged into the declared configs before `overrides`; then `env:NAME` values are resolved,
    /// unless `resolvingEnv` is false: commands that only read or reset the state need the
    /// pipeline's name and nodes, not its secrets, and leave those values as written.
    /// Errors are `.config` errors pointing at pipeline.lua:LINE.
    public static func load(file: String, overrides: [Override] = [], nodeConfigs: [UInt8] = Array("{}".utf8),
                            resolvingEnv: Bool = true) throws -> PipelineSpec {
        let url = URL(fileURLWithPath: file)
        guard let code = FileManager.default.contents(atPath: file) else {
            throw PipelineError(.config, "cannot read pipeline file \(file): no such file")
        }
        let directory = url.deletingLastPathComponent().standardizedFileURL.path
        let display = PipelineSpec.displayName(ofPipeline: file)
        let lua = try LuaState()
        try lua.installSandbox(roots: [directory]) { level, message, _ in
            PipelineLog.logger.log(level: .init(luaLevel: level), "\(Redactor.shared.redact(message))", metadata: ["node": "pipeline"])
        }
        do {
            let env = try lua.makeEnvironment()
            let prelude = try lua.load(BundledLua.pipelineDsl.bytes, chunkName: BundledLua.pipelineDsl.chunkName)
            let export = try lua.callReturningRef(prelude, refArgs: [env, lua.privileged, try EnvReferences.resolver(in: lua)])
            let chunk = try lua.load(Array(code), chunkName: display)
            lua.setEnvironment(of: chunk, to: env)
            try lua.call(chunk)
            let setsJSON = String(decoding: try JSONEncoder().encode(overrides), as: UTF8.self)
            let results = try lua.callReturningRefs(export, refArgs: [lua.newString(setsJSON), lua.newString(String(decoding: nodeConfigs, as: UTF8.self)),
                                                                      lua.newString(resolvingEnv ? "resolve" : "leave")], results: 2)
            let exportedJSON = lua.stringBytes(results[0])
            let exported = try JSONDecoder().decode(Exported.self, from: Data(exportedJSON))
            exported.secrets.forEach(Redactor.shared.add)
            let settingLines = SettingLines(text: Array(code), declarations: exported.nodes.compactMap(\.line))
            if !exported.problems.isEmpty {
                throw PipelineErrors(exported.problems.map { problem in
                    let line = problem.line.map { settingLines.line(of: problem.setting, declaredAt: $0) ?? $0 }
                    return PipelineError(.config, node: problem.node, phase: "config", "\(problem.message) (in \(display):\(line ?? 0))")
                })
            }
            var loaded = try spec(from: exported, bytecode: results[1], lua: lua, file: display, directory: directory)
            loaded.settingLines = settingLines
            loaded.declaredName = exported.pipeline?.name
            loaded.protectedFiles.protect(url.path)
            for case .script(let path) in loaded.nodes.map(\.implementation) {
                loaded.protectedFiles.protect(path.hasPrefix("/") ? path : directory + "/" + path)
            }
            loaded.protectedFiles.hide(SQLiteStateBackend.defaultPath(forPipelineIn: directory))
            return loaded
        } catch let error as LuaError {
            throw PipelineError(.config, phase: "pipeline", withSuggestion(error.message), traceback: error.traceback)
        }
    }

    /// The names pipeline.lua declares nodes and networks with.
    static let dslNames = ["pipeline", "source", "transform", "sink", "network"]

    /// `message` with a "did you mean" when it is about an unknown global close to a DSL name
    /// (`transfrom(...)`: "attempt to call a nil value (global 'transfrom')").
    static func withSuggestion(_ message: String) -> String {
        guard let start = message.range(of: "(global '"),
              let end = message[start.upperBound...].firstIndex(of: "'"),
              let close = ConfigSchema.suggestion(for: String(message[start.upperBound..<end]), among: dslNames)
        else { return message }
        return message + "; did you mean `\(close)`?"
    }

    private static func spec(from exported: Exported, bytecode: LuaRef, lua: LuaState,
                             file: String, directory: String) throws -> PipelineSpec {
        var nodes: [NodeSpec] = []
        for n in exported.nodes {
            let implementation: NodeSpec.Implementation
            switch n.kind {
            case "script": implementation = .script(path: n.target ?? "")
            case "inline": implementation = .inline(bytecode: lua.bytes(bytecode, n.id))
            default: implementation = .builtin(n.target ?? "")
            }
            let configJSON = Array(n.config.utf8)
            let object = (try? JSONSerialization.jsonObject(with: Data(configJSON))) as? [String: Any] ?? [:]
            var node = NodeSpec(id: n.id, role: NodeSpec.Role(rawValue: n.role) ?? .transform, name: n.name,
                                implementation: implementation, configJSON: configJSON, options: NodeOptions(config: object),
                                line: n.line, origins: n.origins ?? [:])
            node.functions = (n.functions ?? [:]).mapValues { lua.bytes(bytecode, $0) }
            node.environmentVariables = Set(n.env_names ?? [])
            node.formerName = n.former_name
            nodes.append(node)
        }
        let edges = exported.edges.map { EdgeSpec(from: $0.from, to: $0.to, line: $0.line) }
        return PipelineSpec(file: file, directory: directory, nodes: nodes, edges: edges, networkLine: exported.network_line)
    }
}
