import CLuaShim
import Foundation

/// `source.file { path, format = "jsonl" | "json" | "csv" | "txt" }`: streams a file in 1 MB
/// chunks and hands on whole records; memory stays flat whatever the file size. JSON Lines pass
/// through as raw text (the consumer decodes them straight into its own state); CSV rows and text
/// lines become JSON objects; a JSON array is split into its elements. Every record is checked as
/// UTF-8 on the way in: one with invalid UTF-8 or a NUL byte goes through the node's `on_error`.
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
    /// Bytes handed on so far (an empty or blank file is zero records, not a parse error).
    private var consumedBytes = 0
    private var produced = 0
    private let reader: FileRecordReader
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
        guard let reader = FileRecordReader(format, delimiter: delimiter) else {
            throw PipelineError(.runtime, node: spec.name, phase: "config", "cannot create the \(format.rawValue) reader for \(config.path)")
        }
        self.reader = reader
        luaflow_buf_init(&pending)
    }

    deinit {
        if fd >= 0 { close(fd) }
        luaflow_buf_free(&pending)
    }

    let stream = ""
    var countsPages: Bool { false }
    var position: SourcePosition { SourcePosition(produced: produced) }
    func start(from start: SourceStart) throws {}

    func open() throws {
        fd = Foundation.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw readError("cannot open: \(String(cString: strerror(errno)))") }
        var info = stat()
        if fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG { stats.update { $0.bytesTotal = Int(info.st_size) } }
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

    private func origin(_ lines: [Int64]) -> RecordBatch.Origin {
        RecordBatch.Origin(node: spec.name, path: displayPath, lines: lines, onError: spec.options.onError, stats: stats)
    }

    /// Turns the complete records at the front of `pending` into a batch; a bad record among them
    /// goes through `on_error` (which throws under `fail`) and reading goes on after it.
    private func cut() throws -> RecordBatch? {
        if eof && consumedBytes == 0 && (pending.len == 0 || Self.isBlank(pending.data!, pending.len)) {
            consume(pending.len)
            return nil
        }
        var out = luaflow_buf()
        luaflow_buf_init(&out)
        defer { luaflow_buf_free(&out) }
        var lines = luaflow_i64buf()
        luaflow_i64buf_init(&lines)
        defer { luaflow_i64buf_free(&lines) }
        let limit = maxItems.map { $0 - produced } ?? Int.max
        var offset = 0
        while true {
            var bad = luaflow_bad_record()
            var err = [CChar](repeating: 0, count: 256)
            let consumed = reader.read(pending.data! + offset, pending.len - offset, eof, &out, &lines, &bad, &err)
            if consumed < 0 { throw readError(String(cString: err)) }
            if bad.found != 0 && lines.len < limit { try reject(bad, in: pending.data! + offset) }
            offset += consumed
            if bad.found == 0 || lines.len >= limit { break }
        }
        consume(offset)
        var count = lines.len
        if count > limit {
            count = limit
            if let length = RecordLines.length(ofFirst: count, in: out.data, count: out.len) { out.len = length }
        }
        guard count > 0 else { return nil }
        produced += count
        stats.update { [consumedBytes] in
            $0.recordsOut += count
            $0.bytesRead = consumedBytes
        }
        return RecordBatch(taking: &out, records: count, validated: format == .csv || format == .txt,
                           origin: origin(Array(UnsafeBufferPointer(start: lines.data, count: count))))
    }

    /// Applies `on_error` to a record the reader left out: "users.jsonl:3: invalid UTF-8 at byte 17: ...".
    private func reject(_ bad: luaflow_bad_record, in data: UnsafeMutablePointer<CChar>) throws {
        let record = Array(UnsafeRawBufferPointer(start: data + bad.start, count: bad.len))
        let message = withUnsafeBytes(of: bad.message) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        let excerpt = String(decoding: record.prefix(200), as: UTF8.self).replacingOccurrences(of: "\0", with: "\\0")
        let failure = PipelineError(.runtime, node: spec.name, phase: "read", "\(displayPath):\(bad.line): \(message)",
                                    details: ["line: \(excerpt)" + (record.count > 200 ? "…" : "")])
        try ErrorPolicy.apply(failure, spec: spec, stats: stats, record: record)
    }

    /// Drops the first `n` bytes of `pending`.
    private func consume(_ n: Int) {
        guard n > 0 else { return }
        consumedBytes += n
        let rest = pending.len - n
        if rest > 0 { memmove(pending.data, pending.data + n, rest) }
        pending.len = rest
    }

    private static func isBlank(_ bytes: UnsafeMutablePointer<CChar>, _ count: Int) -> Bool {
        (0..<count).allSatisfy { [0x20, 0x09, 0x0D].contains(UInt8(bitPattern: bytes[$0])) }
    }

    private func readError(_ message: String) -> PipelineError {
        PipelineError(.runtime, node: spec.name, phase: "read", "\(displayPath): \(message)")
    }
}
