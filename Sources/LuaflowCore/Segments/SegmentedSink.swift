import CLuaShim
import Foundation
import LuaBridge

/// `sink.file { path, format = "jsonl" | "json" | "csv" | "txt" }`: writes to a temp file beside
/// `path` and renames it over `path` only when the run succeeds; on failure the previous output
/// is intact. Raw records from a file source are validated on the way through. With `rotate`
/// the output is a series of files (`RotatingFile`), each published once a committed checkpoint
/// covers it.
final class FileSinkRuntime: SinkRuntime {
    let stats: NodeStats
    private let spec: NodeSpec
    private let format: FileFormat
    private let delimiter: UInt8
    private let writer: AtomicFileWriter
    /// `rotate = { ... }`: segments instead of `writer`.
    private let rotation: RotatingFile?
    /// A checkpointed run prepared the segments already (`resume`).
    private var rotationPrepared = false
    private let lua: LuaState
    private let loop: LuaRecordLoop
    private var columns: [String]?
    /// Configured columns select fields; inferred ones must hold every field of every record.
    private let columnsConfigured: Bool
    private let append: Bool
    private var columnsRef: LuaRef?
    private var textFormatter: LuaRef?
    private var records = 0
    /// Resuming output that already has its header (CSV) or opening bracket (JSON).
    private var resumedHeader = false
    /// Bytes of the in-progress file an earlier attempt of the run wrote.
    private var resumedLength: Int64 = 0

    init(spec: NodeSpec, pipeline: PipelineSpec, stats: NodeStats) throws {
        self.spec = spec
        self.stats = stats
        let (config, path, format, delimiter) = try FileNodeConfig.load(spec, pipeline: pipeline)
        self.format = format
        self.delimiter = delimiter
        columns = config.columns
        columnsConfigured = config.columns != nil
        append = config.append
        writer = AtomicFileWriter(path: path)
        rotation = config.rotate.map { RotatingFile(pattern: path, every: $0.every, bytes: $0.bytes) }
        lua = try LuaState(memoryLimit: spec.options.memoryLimitMB << 20, instructionLimit: 0)
        loop = LuaRecordLoop(spec: spec, lua: lua, stats: stats)
        loop.encodeFailure = "cannot write the record as \(format.rawValue.uppercased())"
        if format == .txt {
            let field = config.field ?? "line"
            textFormatter = try lua.callReturningRefs(try lua.load(BundledLua.txtSink.bytes, chunkName: BundledLua.txtSink.chunkName),
                                                      refArgs: [lua.newString(field), try lua.jsonModule()], results: 1)[0]
        }
    }

    /// Continues the in-progress output of an unfinished run, cut back to what the token covers
    /// (or starts it again when `token` is nil).
    func resume(from token: SinkToken?, run: String) throws {
        if let rotation {
            rotationPrepared = true
            guard let token else { return try guarded { try rotation.startAfresh(resumable: true) } }
            let progress = try decodeProgress(token)
            guard progress.pattern == rotation.pattern else {
                throw PipelineError(.runtime, node: spec.name, phase: "resume",
                                    "the unfinished run was writing \(progress.pattern ?? progress.path), this one writes \(rotation.pattern); run with --full-refresh to start over")
            }
            try guarded {
                try rotation.resume(finished: progress.finished ?? [], current: progress.path.isEmpty ? nil : progress.path, length: progress.length)
            }
            records = token.records
            return
        }
        guard let token else { return writer.resume(at: nil) }
        let progress = try decodeProgress(token)
        guard progress.path == writer.path else {
            throw PipelineError(.runtime, node: spec.name, phase: "resume",
                                "the unfinished run was writing \(progress.path), this one writes \(writer.path); run with --full-refresh to start over")
        }
        writer.resume(at: progress.length)
        resumedLength = progress.length
        resumedHeader = progress.length > 0
        records = token.records
        if let columns = progress.columns, !columnsConfigured { self.columns = columns }
    }

    /// The file progress in a token this sink returned.
    private func decodeProgress(_ token: SinkToken) throws -> FileSinkProgress {
        do { return try JSONDecoder().decode(FileSinkProgress.self, from: Data((token.data ?? "").utf8)) } catch {
            throw PipelineError(.runtime, node: spec.name, phase: "resume",
                                "the state store's progress of this sink is not a file's; run with --full-refresh to start over")
        }
    }

    func sampleResources() {
        let written = Int(rotation?.written ?? writer.length - resumedLength)
        stats.update { $0.bytesWritten = written }
    }

    func open() throws {
        lua.claim()
        if let rotation {
            if !rotationPrepared { try guarded { try rotation.startAfresh(resumable: false) } }
            return
        }
        do { try writer.open() } catch { throw PipelineError(.runtime, node: spec.name, phase: "write", "\(error)") }
        if resumedHeader { return }
        if append, let header = try copyExistingOutput() {
            if format == .csv, !header.isEmpty { try adoptHeader(header) }
            if format != .csv || !header.isEmpty { return }
        }
        if format == .json { try write("[") }
        if format == .csv, let columns { try writeHeader(columns) }
    }

    /// `mode = "append"`: the current output goes first; returns its first line (nil: no file).
    private func copyExistingOutput() throws -> String? {
        do { return try writer.copyTarget() } catch {
            throw PipelineError(.runtime, node: spec.name, phase: "write", "cannot append to \(writer.path): \(error)")
        }
    }

    /// Appending to a CSV file: its header gives the columns (and must match configured ones).
    private func adoptHeader(_ header: String) throws {
        let existing = header.split(separator: Character(UnicodeScalar(delimiter)), omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"\r"))
        }
        if let columns, columnsConfigured, columns != existing {
            throw PipelineError(.config, node: spec.name, phase: "write",
                                "cannot append to \(writer.path): its columns are \(existing.joined(separator: ", ")), the sink's are \(columns.joined(separator: ", "))")
        }
        columns = existing
    }

    /// A checkpoint is an fsync: one fsync makes several checkpoints durable when the sink is behind.
    var defersCheckpoints: Bool { true }

    func pendingToken() throws -> SinkToken? { token }

    func checkpoint() throws -> SinkToken? {
        try guarded { if let rotation { try rotation.flush() } else { try writer.flush() } }
        return token
    }

    /// Rotating: the finished segments the committed checkpoint covers are published.
    func committed(_ token: SinkToken) throws {
        guard let rotation else { return }
        let finished = try decodeProgress(token).finished ?? []
        try guarded { try rotation.publish(finished) }
    }

    /// Encodes the tokens (one per checkpoint: made once).
    private let tokenEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// How far the output goes: what a checkpoint records.
    private var token: SinkToken {
        let progress = rotation.map {
            FileSinkProgress(path: $0.position?.path ?? "", length: $0.position?.length ?? 0, pattern: $0.pattern, finished: $0.finished)
        } ?? FileSinkProgress(path: writer.path, length: writer.length, columns: columns)
        return SinkToken(node: spec.name, records: records, data: String(decoding: try! tokenEncoder.encode(progress), as: UTF8.self))
    }

    func consume(_ input: RecordBatch) throws {
        let batch = try loop.validated(input)
        stats.update { $0.recordsIn += batch.records }
        switch format {
        case .jsonl:
            try write(batch)
        case .json:
            try writeArrayElements(batch)
        case .csv:
            try writeRows(batch)
        case .txt:
            try transformAndWrite(batch, rawText: true) { [lua, textFormatter] io in
                try lua.runBatch(textFormatter!, ignoringResults: false, io: &io)
            }
        }
    }

    func finish() throws -> SinkToken? {
        if format == .json { try write(records == 0 ? "]\n" : "\n]\n") }
        try guarded { if let rotation { try rotation.finish() } else { try writer.sync() } }
        return token
    }

    func publish() throws {
        try guarded { if let rotation { try rotation.publish(rotation.finished) } else { try writer.publish() } }
    }

    /// The finished output was synced under its in-progress name and the run committed; a crash
    /// came before the rename (or after it: then there is nothing left to do).
    func completePublish(_ token: SinkToken) throws {
        if let rotation {
            let finished = try decodeProgress(token).finished ?? []
            return try guarded { try rotation.publish(finished) }
        }
        try guarded { try writer.publishIfFinished() }
    }

    func abort(keepingProgress: Bool) {
        if let rotation { rotation.abort(keepingProgress: keepingProgress) } else { writer.abort(keepingProgress: keepingProgress) }
    }

    // MARK: Formats

    private func write(_ batch: RecordBatch) throws {
        guard let bytes = batch.bytes else { return }
        try append(bytes, count: batch.length)
        records += batch.records
    }

    private func write(_ text: String) throws {
        try guarded { try writer.write(text) }
    }

    private func writeArrayElements(_ batch: RecordBatch) throws {
        guard let bytes = batch.bytes else { return }
        for line in RecordLines(bytes, count: batch.length) where !line.isEmpty {
            try write(records == 0 ? "\n" : ",\n")
            try guarded { try writer.write(bytes + line.lowerBound, count: line.count) }
            records += 1
        }
    }

    private func writeRows(_ batch: RecordBatch) throws {
        if columnsRef == nil {
            if columns == nil {
                guard let bytes = batch.bytes else { return }
                var lines = RecordLines(bytes, count: batch.length)
                let firstLine = lines.next() ?? 0..<0
                columns = JSONText.topLevelKeys(UnsafeRawBufferPointer(start: bytes, count: firstLine.count)) ?? []
                try writeHeader(columns!)
            }
            columnsRef = try lua.decodeJSON(Array(try JSONEncoder().encode(columns!)))
        }
        try transformAndWrite(batch, rawText: false) { [lua, columnsRef, delimiter, columnsConfigured] io in
            try lua.writeCSVRows(columns: columnsRef!, delimiter: delimiter, ignoringOtherFields: columnsConfigured, io: &io)
        }
    }

    private func writeHeader(_ columns: [String]) throws {
        var out = luaflow_buf()
        luaflow_buf_init(&out)
        defer { luaflow_buf_free(&out) }
        for (i, c) in columns.enumerated() {
            if i > 0 { _ = luaflow_buf_append(&out, [delimiter], 1) }
            var c = c
            c.withUTF8 { _ = luaflow_csv_append_field(&out, UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), $0.count, CChar(bitPattern: delimiter)) }
        }
        _ = luaflow_buf_append(&out, "\n", 1)
        try guarded { try writer.write(out.data, count: out.len) }
    }

    /// Formats the batch with a C loop into a buffer, then writes it.
    private func transformAndWrite(_ batch: RecordBatch, rawText: Bool,
                                   step: (inout luaflow_batch_io) throws -> Void) throws {
        var out = luaflow_buf()
        luaflow_buf_init(&out)
        defer { luaflow_buf_free(&out) }
        let outcome = try loop.run(batch, out: &out, configure: { $0.raw_text = rawText ? 1 : 0 }, step: step)
        if let data = out.data { try append(data, count: out.len) }
        records += outcome.produced
    }

    /// Writes to the current segment when rotating, to the one output otherwise.
    private func append(_ bytes: UnsafeRawPointer, count: Int) throws {
        try guarded { if let rotation { try rotation.write(bytes, count: count) } else { try writer.write(bytes, count: count) } }
    }

    private func guarded(_ body: () throws -> Void) throws {
        do { try body() } catch let error as PipelineError { throw error } catch {
            throw PipelineError(.runtime, node: spec.name, phase: "write", "\(error)")
        }
    }
}
