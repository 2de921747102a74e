import LuaBridge

/// `sink.file { path, format = "jsonl" | "json" | "csv" | "txt" }`: a `SegmentedSink` writing local
/// files (`LocalFileStore`) with the encoder of its format. Raw records from a file source are
/// validated on the way through.
enum FileSink {
    static func make(spec: NodeSpec, pipeline: PipelineSpec, stats: NodeStats) throws -> SegmentedSink {
        let (config, path, format, delimiter) = try FileNodeConfig.load(spec, pipeline: pipeline)
        let lua = try LuaState(memoryLimit: spec.options.memoryLimitMB << 20, instructionLimit: 0)
        let loop = LuaRecordLoop(spec: spec, lua: lua, stats: stats)
        loop.encodeFailure = "cannot write the record as \(format.rawValue.uppercased())"
        let encoder: RecordEncoder
        switch format {
        case .jsonl: encoder = JSONLinesEncoder()
        case .json: encoder = JSONArrayEncoder()
        case .csv: encoder = CSVEncoder(delimiter: delimiter, columns: config.columns, loop: loop)
        case .txt: encoder = try TextLineEncoder(field: config.field ?? "line", loop: loop)
        }
        return SegmentedSink(spec: spec, stats: stats, loop: loop, encoder: encoder, store: LocalFileStore(),
                             target: path, append: config.append, rotate: config.rotate)
    }
}
