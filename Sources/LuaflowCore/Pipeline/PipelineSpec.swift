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
    /// The pipeline's own files, which its scripts may not write (or, for the state store, read).
    public var protectedFiles = ProtectedFiles()
    /// Where pipeline.lua writes each node's settings (``location(ofSetting:in:)``).
    var settingLines: SettingLines?
    /// `pipeline { name = ... }`, when pipeline.lua declared it.
    public var declaredName: String?

    /// The pipeline's identity: `pipeline { name = ... }`, else ``defaultName(ofPipeline:)``.
    /// Its state, run history and database loads are kept under it, so two pipelines of one
    /// directory (sharing `.luaflow/state.db`) never share a cursor.
    public var name: String { declaredName ?? Self.defaultName(ofPipeline: file) }
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

    /// `pipeline.lua:LINE` of setting `path` (dotted) of `node`: the line that writes it, else the
    /// node's declaration.
    func location(ofSetting path: String, in node: NodeSpec) -> String {
        guard let line = node.line, let found = settingLines?.line(of: path, declaredAt: line) else { return node.declaredAt(file) }
        return "\(file):\(found)"
    }

    /// The environment variables given as `env:NAME` to nodes other than `node` and not to `node`
    /// itself, each with the first such node: `node`'s schema `env` fallbacks may not read them.
    public func variables(givenToOthersThan node: NodeSpec) -> [String: String] {
        var out: [String: String] = [:]
        for other in nodes where other.id != node.id {
            for name in other.environmentVariables where !node.environmentVariables.contains(name) && out[name] == nil {
                out[name] = other.name
            }
        }
        return out
    }

    /// The name of a pipeline that declares none: its file's name without `.lua` (`orders.lua` →
    /// `orders`, `pipeline.lua` → `pipeline`), characters other than letters, digits, `_`, `.`
    /// and `-` replaced by `_`. It does not depend on the directory, so moving or renaming a
    /// project keeps its state.
    public static func defaultName(ofPipeline file: String) -> String {
        var base = (file as NSString).lastPathComponent
        if base.hasSuffix(".lua") { base.removeLast(4) }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
        let name = String(base.map { allowed.contains($0) ? $0 : "_" })
        guard let first = name.first, first.isLetter || first.isNumber else { return "pipeline" + (name.isEmpty ? "" : "_" + name) }
        return name
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
    /// The settings given with `--set`: dotted setting name (`paginator.limit`) → the flag as
    /// written (`--set api.paginator.limit=abc`), so a bad value is reported at the flag.
    public var origins: [String: String] = [:]
    /// The default name an earlier release gave this node, when it differs from ``name`` (the
    /// state store adopts what it kept under that name).
    public var formerName: String?
    /// Functions pipeline.lua wrote in a built-in's config (`resources.issues.filter`), by setting
    /// path, precompiled; the config holds a marker in their place.
    public var functions: [String: [UInt8]] = [:]
    /// The environment variables the user gave this node as `env:NAME` values: its secrets. Another
    /// node's schema may not read them through an `env` fallback (``PipelineSpec/variables(givenToOthersThan:)``).
    public var environmentVariables: Set<String> = []
    /// For a built-in written in Lua, where pipeline.lua declared it (`pipeline.lua:12`): errors
    /// its code raises are reported there, not at a line of the host's Lua.
    var builtinDeclaration: String?

    /// The `--set` flag that gave the setting `path` or a table it is in, if one did.
    func origin(of path: String) -> String? {
        var key = path
        while true {
            if let flag = origins[key] { return flag }
            guard let cut = key.lastIndex(where: { $0 == "." || $0 == "[" }) else { return nil }
            key = String(key[..<cut])
        }
    }

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
public struct NodeOptions: Sendable {
    /// What happens to a record (or source call) that fails: stop the run, count and log it, or
    /// also write it with its error to `<node>.dead.jsonl`.
    public enum OnError: String, Sendable, CaseIterable {
        case fail, skip
        case deadLetter = "dead_letter"
    }

    public var onError: OnError = .fail
    public var maxItems: Int?
    /// Seconds a streaming source may run.
    public var lifetime: Double?
    /// Records per `write(batch)` call (sinks), or per queue batch (sources).
    public var batchSize: Int?
    /// Memory limit of the node's Lua state, in MB (0: none).
    public var memoryLimitMB: Int = 256
    /// Instruction budget of one call into the script (0: none).
    public var instructionLimit: Int = 500_000_000
    /// Wall-clock seconds one call into the script may run, time in host functions excluded (0: none).
    public var timeLimit: Double = 60
    /// Largest JSON text of one record the script outputs, in bytes (0: none).
    public var maxRecordBytes: Int = 64 << 20
    /// Hand records to scripts as lazy tables (fields decoded when read). On by default.
    public var lazyRecords = true
    /// Parallel copies of a transform, each with its own Lua state and thread (`"auto"` = cores).
    public var workers = 1
    /// Keep the input order across workers (default) or emit batches as they finish.
    public var ordered = true
    /// Pages (`get()` sources) or records (other sources) between checkpoints.
    public var checkpointEvery: Int?
    /// Seconds after which a source checkpoints anyway once records arrived (`checkpoint_interval`).
    public var checkpointInterval: Double?

    public init() {}

    /// Reads the options from a node's config. A value of the wrong type or out of range keeps
    /// the default: ``ConfigSchema`` checks the same options (`common`) when the node loads and
    /// reports it there, with the node's other problems.
    public init(config: [String: Any]) {
        func number(_ key: String) -> Double? {
            guard let value = config[key] as? NSNumber, !Self.isBoolean(value), value.doubleValue.isFinite else { return nil }
            return value.doubleValue
        }
        func integer(_ key: String, min: Int) -> Int? {
            guard let d = number(key), let n = Int(exactly: d), n >= min else { return nil }
            return n
        }
        func boolean(_ key: String) -> Bool? {
            guard let value = config[key], Self.isBoolean(value) else { return nil }
            return value as? Bool
        }
        if let text = config["on_error"] as? String, let policy = OnError(rawValue: text) { onError = policy }
        maxItems = integer("max_items", min: 0)
        batchSize = integer("batch_size", min: 1)
        checkpointEvery = integer("checkpoint_every", min: 1)
        checkpointInterval = DurationText.seconds(config["checkpoint_interval"])
        memoryLimitMB = integer("memory_limit", min: 0) ?? memoryLimitMB
        instructionLimit = integer("instruction_limit", min: 0) ?? instructionLimit
        maxRecordBytes = integer("max_record_bytes", min: 0) ?? maxRecordBytes
        if let seconds = number("time_limit"), seconds >= 0 { timeLimit = seconds }
        lazyRecords = boolean("lazy_records") ?? lazyRecords
        ordered = boolean("ordered") ?? ordered
        if let seconds = number("lifetime"), seconds > 0 { lifetime = seconds }
        if config["workers"] as? String == "auto" {
            workers = ProcessInfo.processInfo.activeProcessorCount
        } else {
            workers = integer("workers", min: 1) ?? workers
        }
    }

    /// JSON true/false as JSONSerialization gives it (an NSNumber 0 or 1 also casts to Bool).
    static func isBoolean(_ value: Any) -> Bool {
        guard let n = value as? NSNumber else { return false }
        let type = String(cString: n.objCType)
        return type == "c" || type == "B"
    }
}
