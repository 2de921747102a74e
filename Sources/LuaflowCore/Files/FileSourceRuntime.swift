import CLuaShim
import Foundation

/// `source.file { path, format = "jsonl" | "json" | "csv" | "txt" }`: streams a file in 1 MB
/// chunks and hands on whole records; memory stays flat whatever the file size. JSON Lines pass
/// through as raw text (the consumer decodes them straight into its own state); CSV rows and text
/// lines become JSON objects; a JSON array is split into its elements.
final class FileSourceRuntime: SourceRuntime {
    let stats: NodeStats
    private let spec: NodeSpec
    private let path: String
    private let displayPath: String
    private let format: FileFormat
    private let maxItems: Int?
    private var fd: Int32 = -1
    private var eof = false
    private var pending = luaflow_buf()
    /// The file line where `pending` starts.
    private var pendingLine: Int64 = 1
    /// Bytes handed on so far (an empty or blank file is zero records, not a parse error).
    private var consumedBytes = 0
    private var produced = 0
    private var csv: OpaquePointer?
    private var splitter: OpaquePointer?
    private static let chunkSize = 1 << 20

    init(spec: NodeSpec, pipeline: PipelineSpec, stats: NodeStats, limit: Int?) throws {
        self.spec = spec
        self.stats = stats
        let (config, path, format, delimiter) = try FileNodeConfig.load(spec, pipeline: pipeline)
        self.path = path
        self.format = format
        displayPath = config.path
        maxItems = [spec.options.maxItems, limit].compactMap { $0 }.min()
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else {
            throw PipelineError(.config, node: spec.name, phase: "config",
                                "input file \(config.path) not found (\(spec.declaredAt(pipeline.file)))")
        }
        luaflow_buf_init(&pending)
        if format == .csv { csv = luaflow_csv_reader_new(CChar(bitPattern: delimiter)) }
        if format == .json { splitter = luaflow_json_splitter_new() }
    }

    deinit {
        if fd >= 0 { close(fd) }
        luaflow_buf_free(&pending)
        if let csv { luaflow_csv_reader_free(csv) }
        if let splitter { luaflow_json_splitter_free(splitter) }
    }

    let stream = ""
    var countsPages: Bool { false }
    var position: SourcePosition { SourcePosition(produced: produced) }
    func start(from start: SourceStart) throws {}

    func open() throws {
        fd = Foundation.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw readError("cannot open: \(String(cString: strerror(errno)))") }
    }

    func next() throws -> RecordBatch? {
        while true {
            if let maxItems, produced >= maxItems { return nil }
            if !eof { try fill() }
            if pending.len == 0 && eof { return nil }
            if let batch = try cut() { return batch }
            if eof { return nil }
        }
    }

    /// Reads up to one chunk more into `pending`.
    private func fill() throws {
        if luaflow_buf_reserve(&pending, Self.chunkSize) != 0 { throw readError("out of memory") }
        while true {
            let n = read(fd, pending.data + pending.len, Self.chunkSize)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw readError(String(cString: strerror(errno))) }
            if n == 0 { eof = true }
            pending.len += n
            return
        }
    }

    /// Turns the complete records at the front of `pending` into a batch.
    private func cut() throws -> RecordBatch? {
        switch format {
        case .jsonl: return cutLines(json: true)
        case .txt: return cutLines(json: false)
        case .csv, .json: return try parse()
        }
    }

    /// Cuts the complete lines at the front of `pending` into a batch. JSON lines pass as they
    /// are: the consumer validates them while decoding (in parallel when it has workers) and
    /// reports a bad one against this source's file, line and on_error policy.
    private func cutLines(json: Bool) -> RecordBatch? {
        let base = UnsafeRawPointer(pending.data!)
        let count = pending.len
        var lines: [Int64] = []
        var line = pendingLine
        var start = 0
        var out = luaflow_buf()
        luaflow_buf_init(&out)
        defer { luaflow_buf_free(&out) }
        let limit = maxItems.map { $0 - produced } ?? Int.max
        while start < count && lines.count < limit {
            let nl = memchr(base + start, 0x0A, count - start)
            if nl == nil && !eof { break }
            let end = nl.map { base.distance(to: UnsafeRawPointer($0)) } ?? count
            if !Self.isBlank(base, start, end) {
                lines.append(line)
                if !json { Self.appendTextRecord(base, start, end, &out) }
            }
            line += 1
            start = end + 1
        }
        guard start > 0 else { return nil }
        let cut = min(start, count)
        if json { _ = luaflow_buf_append(&out, base, cut) }
        consume(cut, lines: line - pendingLine)
        produced += lines.count
        stats.update { $0.recordsOut += lines.count }
        guard !lines.isEmpty else { return nil }
        return RecordBatch(taking: &out, records: lines.count, validated: !json, origin: origin(lines))
    }

    private func origin(_ lines: [Int64]) -> RecordBatch.Origin {
        RecordBatch.Origin(node: spec.name, path: displayPath, lines: lines, onError: spec.options.onError, stats: stats)
    }

    private func parse() throws -> RecordBatch? {
        if eof && consumedBytes == 0 && (pending.len == 0 || Self.isBlank(pending.data, 0, pending.len)) {
            consume(pending.len, lines: 0)
            return nil
        }
        var out = luaflow_buf()
        luaflow_buf_init(&out)
        defer { luaflow_buf_free(&out) }
        var lines = luaflow_i64buf()
        luaflow_i64buf_init(&lines)
        defer { luaflow_i64buf_free(&lines) }
        var err = [CChar](repeating: 0, count: 256)
        let consumed: Int = csv.map {
            luaflow_csv_read($0, pending.data, pending.len, eof ? 1 : 0, &out, &lines, &err, err.count)
        } ?? luaflow_json_split(splitter, pending.data, pending.len, eof ? 1 : 0, &out, &lines, &err, err.count)
        if consumed < 0 { throw readError(String(cString: err)) }
        consume(consumed, lines: 0)
        var count = lines.len
        if let maxItems, produced + count > maxItems {
            count = maxItems - produced
            var seen = 0
            for i in 0..<out.len where out.data[i] == 0x0A {
                seen += 1
                if seen == count { out.len = i + 1; break }
            }
        }
        guard count > 0 else { return nil }
        produced += count
        stats.update { $0.recordsOut += count }
        return RecordBatch(taking: &out, records: count, validated: format == .csv,
                           origin: origin(Array(UnsafeBufferPointer(start: lines.data, count: count))))
    }

    /// Drops the first `n` bytes of `pending`.
    private func consume(_ n: Int, lines: Int64) {
        guard n > 0 else { return }
        consumedBytes += n
        let rest = pending.len - n
        if rest > 0 { memmove(pending.data, pending.data + n, rest) }
        pending.len = rest
        pendingLine += lines
    }

    private static func isBlank(_ bytes: UnsafeRawPointer, _ start: Int, _ end: Int) -> Bool {
        for i in start..<end {
            let b = bytes.load(fromByteOffset: i, as: UInt8.self)
            if !(b == 0x20 || b == 0x09 || b == 0x0D) { return false }
        }
        return true
    }

    /// Appends `{"line":"..."}` for a text line (without its CR).
    private static func appendTextRecord(_ bytes: UnsafeRawPointer, _ start: Int, _ end: Int, _ out: inout luaflow_buf) {
        var e = end
        if e > start && bytes.load(fromByteOffset: e - 1, as: UInt8.self) == 0x0D { e -= 1 }
        var text: [UInt8] = Array(#"{"line":""#.utf8)
        text.reserveCapacity(e - start + 16)
        for i in start..<e { JSONText.appendEscaped(bytes.load(fromByteOffset: i, as: UInt8.self), to: &text) }
        text.append(contentsOf: "\"}\n".utf8)
        _ = luaflow_buf_append(&out, text, text.count)
    }

    private func readError(_ message: String) -> PipelineError {
        PipelineError(.runtime, node: spec.name, phase: "read", "\(displayPath): \(message)")
    }
}
