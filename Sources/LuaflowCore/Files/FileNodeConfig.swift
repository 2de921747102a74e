import Foundation

/// The config of `source.file` and `sink.file`, decoded and checked before anything runs.
struct FileNodeConfig: Decodable {
    var path: String
    var format: String?
    var delimiter: String?
    /// CSV sink: column order (default: the keys of the first record, in its order).
    var columns: [String]?
    /// txt sink: the field written as the line (default `line`).
    var field: String?

    /// Decodes the config and resolves the path against the pipeline directory.
    static func load(_ spec: NodeSpec, pipeline: PipelineSpec) throws -> (FileNodeConfig, String, FileFormat, UInt8) {
        let at = spec.declaredAt(pipeline.file)
        let config: FileNodeConfig
        do {
            config = try JSONDecoder().decode(FileNodeConfig.self, from: Data(spec.configJSON))
        } catch {
            throw PipelineError(.config, node: spec.name, phase: "config",
                                "\(spec.what) needs { path = \"...\" } (\(at)): \(PipelineLoader.describe(decoding: error))")
        }
        let path = config.path.hasPrefix("/") ? config.path : pipeline.directory + "/" + config.path
        do {
            let format = try FileFormat.resolve(config.format, path: config.path)
            let delimiter = try Self.delimiter(config.delimiter, path: config.path)
            return (config, path, format, delimiter)
        } catch {
            throw PipelineError(.config, node: spec.name, phase: "config", "\(error) (\(at))")
        }
    }

    private static func delimiter(_ text: String?, path: String) throws -> UInt8 {
        guard let text else { return path.lowercased().hasSuffix(".tsv") ? 0x09 : 0x2C }
        let bytes = Array((text == "\\t" ? "\t" : text).utf8)
        guard bytes.count == 1 else { throw FileConfigError("delimiter must be a single character, got '\(text)'") }
        return bytes[0]
    }
}
