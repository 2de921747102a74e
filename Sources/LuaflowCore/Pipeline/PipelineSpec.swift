import Foundation
import LuaBridge

/// What pipeline.lua declared: nodes and the edges between them, before anything runs.
public struct PipelineSpec: Sendable {
    /// The pipeline file as messages show it (short, relative where possible).
    public var file: String
    /// The absolute directory of the pipeline: scripts and relative paths resolve from it.
    public var directory: String
    public var nodes: [NodeSpec]
    public var edges: [EdgeSpec]
    /// Where `network { ... }` was called, when it was.
    public var networkLine: Int?
}

extension PipelineSpec {
    /// How messages name a file of the pipeline: relative to the current directory when the
    /// pipeline is under it, else relative to the pipeline directory. (Lua also cuts chunk names
    /// longer than 60 characters, so short names keep `file:line` readable.)
    public func display(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        let dir = (file as NSString).deletingLastPathComponent
        return dir.isEmpty ? path : dir + "/" + path
    }

    /// The short name of the pipeline file itself.
    static func displayName(ofPipeline file: String) -> String {
        let absolute = URL(fileURLWithPath: file).standardizedFileURL.path
        let cwd = FileManager.default.currentDirectoryPath
        if absolute.hasPrefix(cwd + "/") { return String(absolute.dropFirst(cwd.count + 1)) }
        return file.hasPrefix("/") ? (file as NSString).lastPathComponent : file
    }
}

/// One edge of the network: records flow from `from` to `to` (node ids).
public struct EdgeSpec: Sendable, Equatable {
    public var from: Int
    public var to: Int
    public var line: Int?
}

/// One node: a script, an inline function or a built-in, with its config.
public struct NodeSpec: Sendable {
    public enum Role: String, Sendable { case source, transform, sink }

    public enum Implementation: Sendable {
        /// A script file, relative to the pipeline directory.
        case script(path: String)
        /// A function written inline in pipeline.lua (precompiled by the host).
        case inline(bytecode: [UInt8])
        /// A built-in connector: `file`, `list`, `stdout`.
        case builtin(String)
    }

    public var id: Int
    public var role: Role
    public var name: String
    public var implementation: Implementation
    /// The node's config table as JSON text (common options included).
    public var configJSON: [UInt8]
    public var options: NodeOptions
    /// The line of pipeline.lua that declared the node.
    public var line: Int?

    /// `pipeline.lua:LINE`-style location of the declaration.
    public func declaredAt(_ pipelineFile: String) -> String {
        line.map { "\(pipelineFile):\($0)" } ?? pipelineFile
    }

    /// What the node runs, for messages: the script path, `inline function` or `file sink`.
    public var what: String {
        switch implementation {
        case .script(let path): return path
        case .inline: return "inline \(role.rawValue)"
        case .builtin(let kind): return "\(role.rawValue).\(kind)"
        }
    }
}

/// Options every node understands, read from its config table.
public struct NodeOptions: Sendable, Decodable {
    public enum OnError: String, Sendable, Decodable { case fail, skip }

    public var onError: OnError = .fail
    public var maxItems: Int?
    /// Seconds a streaming source may run.
    public var lifetime: Double?
    /// Records per `write(batch)` call (sinks), or per queue batch (sources).
    public var batchSize: Int?
    /// Memory limit of the node's Lua state, in MB.
    public var memoryLimitMB: Int = 256
    /// Instruction budget of one call into the script.
    public var instructionLimit: Int = 500_000_000
    /// Hand records to scripts as lazy tables (fields decoded when read). On by default.
    public var lazyRecords = true
    /// Parallel copies of a transform, each with its own Lua state and thread (`"auto"` = cores).
    public var workers = 1
    /// Keep the input order across workers (default) or emit batches as they finish.
    public var ordered = true

    enum CodingKeys: String, CodingKey {
        case onError = "on_error", maxItems = "max_items", lifetime, batchSize = "batch_size"
        case memoryLimitMB = "memory_limit", instructionLimit = "instruction_limit"
        case lazyRecords = "lazy_records", workers, ordered
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        onError = try c.decodeIfPresent(OnError.self, forKey: .onError) ?? .fail
        maxItems = try c.decodeIfPresent(Int.self, forKey: .maxItems)
        lifetime = try c.decodeIfPresent(Double.self, forKey: .lifetime)
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize)
        memoryLimitMB = try c.decodeIfPresent(Int.self, forKey: .memoryLimitMB) ?? 256
        instructionLimit = try c.decodeIfPresent(Int.self, forKey: .instructionLimit) ?? 500_000_000
        lazyRecords = try c.decodeIfPresent(Bool.self, forKey: .lazyRecords) ?? true
        ordered = try c.decodeIfPresent(Bool.self, forKey: .ordered) ?? true
        if let text = try? c.decodeIfPresent(String.self, forKey: .workers) {
            guard text == "auto" else {
                throw DecodingError.dataCorruptedError(forKey: .workers, in: c, debugDescription: "must be a positive integer or \"auto\"")
            }
            workers = ProcessInfo.processInfo.activeProcessorCount
        } else if let n = try c.decodeIfPresent(Int.self, forKey: .workers) {
            guard n >= 1 else {
                throw DecodingError.dataCorruptedError(forKey: .workers, in: c, debugDescription: "must be a positive integer or \"auto\"")
            }
            workers = n
        }
    }
}
