import Foundation

/// The config of `source.file` and `sink.file`, read and checked before anything runs.
struct FileNodeConfig {
    var path: String
    var format: String?
    var delimiter: String?
    /// CSV sink: column order (default: the keys of the first record, in its order).
    var columns: [String]?
    /// txt sink: the field written as the line (default `line`).
    var field: String?
    /// Sink `mode = "append"`: the run's records are added after the file's current content.
    var append = false

    static let sourceKeys: Set<String> = ["path", "format", "delimiter"]
    static let sinkKeys: Set<String> = ["path", "format", "delimiter", "columns", "field", "mode"]

    /// Reads the config and resolves the path against the pipeline directory.
    static func load(_ spec: NodeSpec, pipeline: PipelineSpec) throws -> (FileNodeConfig, String, FileFormat, UInt8) {
        let at = spec.declaredAt(pipeline.file)
        func problem(_ message: String) -> PipelineError {
            PipelineError(.config, node: spec.name, phase: "config", "\(spec.what): \(message) (\(at))")
        }
        let object = (try? JSONSerialization.jsonObject(with: Data(spec.configJSON))) as? [String: Any] ?? [:]
        try BuiltinConfig.rejectUnknownKeys(object, allowed: spec.role == .source ? sourceKeys : sinkKeys, spec: spec, at: at)
        guard let path = object["path"] as? String, !path.isEmpty else {
            throw problem("path is required: \(spec.what) { path = \"data/file.jsonl\" }")
        }
        func string(_ key: String) throws -> String? {
            guard let value = object[key] else { return nil }
            guard let s = value as? String else { throw problem("\(key) must be a string, got \(NodeOptions.describe(value))") }
            return s
        }
        var config = FileNodeConfig(path: path, format: try string("format"), delimiter: try string("delimiter"),
                                    columns: nil, field: try string("field"))
        if let value = object["columns"] {
            guard let list = value as? [String], !list.isEmpty else { throw problem("columns must be a list of field names") }
            config.columns = list
        }
        switch try string("mode") {
        case nil, "overwrite": break
        case "append": config.append = true
        case let other?: throw problem("mode must be \"overwrite\" or \"append\", got \"\(other)\"")
        }
        let resolved = path.hasPrefix("/") ? path : pipeline.directory + "/" + path
        var isDirectory: ObjCBool = false
        if spec.role == .sink, FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory), isDirectory.boolValue {
            throw problem("path \(path) is a directory; give the file to write, e.g. \(path.hasSuffix("/") ? path : path + "/")out.jsonl")
        }
        let format: FileFormat
        do {
            format = try FileFormat.resolve(config.format, path: path)
            if config.append && format == .json {
                throw FileConfigError("mode = \"append\" works with jsonl, csv and txt files (a JSON array cannot be extended); use format = \"jsonl\"")
            }
            return (config, resolved, format, try delimiter(config.delimiter, path: path))
        } catch {
            throw problem("\(error)")
        }
    }

    private static func delimiter(_ text: String?, path: String) throws -> UInt8 {
        guard let text else { return path.lowercased().hasSuffix(".tsv") ? 0x09 : 0x2C }
        let bytes = Array((text == "\\t" ? "\t" : text).utf8)
        guard bytes.count == 1 else { throw FileConfigError("delimiter must be a single character, got '\(text)'") }
        return bytes[0]
    }
}

/// Config checks shared by the built-in connectors.
enum BuiltinConfig {
    /// A misspelled key (`colums`, `fromat`) is an error rather than silently ignored.
    static func rejectUnknownKeys(_ config: [String: Any], allowed: Set<String>, spec: NodeSpec, at: String) throws {
        let known = allowed.union(NodeConfig.commonOptions)
        let unknown = config.keys.filter { !known.contains($0) }.sorted()
        guard !unknown.isEmpty else { return }
        throw PipelineError(.config, node: spec.name, phase: "config",
            "\(spec.what): unknown setting\(unknown.count > 1 ? "s" : "") \(unknown.joined(separator: ", ")) (\(at)); it takes \(allowed.sorted().joined(separator: ", ")) and the common options")
    }
}
