import Foundation

/// `luaflow run --limit N`: a preview that publishes nothing. Every sink's records go to a file
/// of the preview directory, `.luaflow/preview/<pipeline>/<node>/`, instead of its destination:
/// a `sink.file` keeps its format and columns (written afresh, never appended or rotated); any
/// other sink (a database table, an HTTP endpoint, a Lua sink) is not opened at all, and the
/// records it would have received are written as JSON Lines. `sink.stdout` prints as usual.
/// With no state either (the runner is given none), a preview leaves every real output, table
/// and cursor as it was.
public struct PipelinePreview: Sendable {
    /// One sink's stand-in.
    public struct Output: Sendable, Equatable {
        /// The sink node.
        public var node: String
        /// What the sink is (`sink.postgres`, `out/report.lua`).
        public var what: String
        /// The preview file, relative to the pipeline's directory.
        public var path: String
    }

    /// The preview directory, relative to the pipeline's directory.
    public let directory: String
    /// The redirected sinks, in declaration order.
    public let outputs: [Output]

    /// The preview directory of the pipeline named `pipeline`, relative to its directory.
    public static func directory(ofPipeline pipeline: String) -> String {
        ".luaflow/preview/" + pipeline
    }

    /// Rewrites `spec`'s sinks into preview files and returns where each one goes.
    public static func redirect(_ spec: inout PipelineSpec) -> PipelinePreview {
        let directory = Self.directory(ofPipeline: spec.name)
        var outputs: [Output] = []
        for index in spec.nodes.indices where spec.nodes[index].role == .sink {
            let node = spec.nodes[index]
            if case .builtin("stdout") = node.implementation { continue }
            var config = (try? JSONSerialization.jsonObject(with: Data(node.configJSON))) as? [String: Any] ?? [:]
            let folder = directory + "/" + safe(node.name)
            let path: String
            if case .builtin("file") = node.implementation, let original = config["path"] as? String {
                path = folder + "/" + safe(((original as NSString).lastPathComponent))
                config["mode"] = nil
                config["rotate"] = nil
            } else {
                path = folder + "/records.jsonl"
                config = config.filter { $0.key == "on_error" }
                config["format"] = "jsonl"
            }
            config["path"] = path
            spec.nodes[index].implementation = .builtin("file")
            spec.nodes[index].configJSON = Array((try? JSONSerialization.data(withJSONObject: config, options: [.sortedKeys])) ?? Data("{}".utf8))
            spec.nodes[index].options = NodeOptions(config: config)
            spec.nodes[index].functions = [:]
            outputs.append(Output(node: node.name, what: node.what, path: path))
        }
        return PipelinePreview(directory: directory, outputs: outputs)
    }

    /// Empties the preview directory of `spec` (under its directory), so it holds this
    /// preview's files only.
    public func clear(in spec: PipelineSpec) throws {
        let absolute = spec.directory + "/" + directory
        if FileManager.default.fileExists(atPath: absolute) { try FileManager.default.removeItem(atPath: absolute) }
    }

    /// A file name for `name`: `/` and `{`, `}` (a rotating file's `{time}`) become `_`.
    private static func safe(_ name: String) -> String {
        String(name.map { "/{}".contains($0) ? "_" : $0 })
    }
}
