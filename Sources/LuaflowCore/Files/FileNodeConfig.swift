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
    /// Sink `rotate = { every, bytes }`: seconds and bytes after which a segment is finished.
    var rotate: (every: Double?, bytes: Int64?)?

    /// Reads the config, checked against its schema already (``CoreConnectors``), and resolves the path against
    /// the pipeline directory.
    static func load(_ spec: NodeSpec, pipeline: PipelineSpec) throws -> (FileNodeConfig, String, FileFormat, UInt8) {
        let at = spec.declaredAt(pipeline.file)
        func problem(_ message: String) -> PipelineError {
            PipelineError(.config, node: spec.name, phase: "config", "\(spec.what): \(message) (\(at))")
        }
        let object = (try? JSONSerialization.jsonObject(with: Data(spec.configJSON))) as? [String: Any] ?? [:]
        let path = object["path"] as? String ?? ""
        var config = FileNodeConfig(path: path, format: object["format"] as? String, delimiter: object["delimiter"] as? String,
                                    columns: object["columns"] as? [String], field: object["field"] as? String,
                                    append: object["mode"] as? String == "append")
        if config.columns?.isEmpty == true { throw problem("columns must list at least one field name") }
        if let rotate = object["rotate"] as? [String: Any] {
            config.rotate = (DurationText.seconds(rotate["every"]), ByteSizeText.bytes(rotate["bytes"]))
            if config.rotate?.every == nil && config.rotate?.bytes == nil {
                throw problem("rotate needs every (e.g. \"1h\") or bytes (e.g. \"256MB\")")
            }
            if !path.contains("{time}") && !path.contains("{seq}") {
                throw problem("a rotating sink's path names each file with {time} or {seq}, e.g. \"out/events-{time}.jsonl\"")
            }
            if URL(fileURLWithPath: path).deletingLastPathComponent().path.contains("{") {
                throw problem("{time} and {seq} may only appear in the file name, not in its directory")
            }
            if config.append { throw problem("mode = \"append\" and rotate cannot go together") }
        }
        let resolved = path.hasPrefix("/") ? path : pipeline.directory + "/" + path
        var isDirectory: ObjCBool = false
        if spec.role == .sink, FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory), isDirectory.boolValue {
            throw problem("path \(path) is a directory; give the file to write, e.g. \(path.hasSuffix("/") ? path : path + "/")out.jsonl")
        }
        let format: FileFormat
        do {
            format = try FileFormat.resolve(config.format, path: path)
            if config.rotate != nil && format != .jsonl && format != .txt {
                throw FileConfigError("rotate works with jsonl and txt files (each segment of a CSV or JSON file would need its own header)")
            }
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
