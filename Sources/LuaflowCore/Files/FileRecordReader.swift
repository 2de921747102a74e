import CLuaShim

/// One of the incremental C readers of `source.file`, picked by format: JSON Lines and text
/// lines, CSV/TSV, or a JSON array. All share one contract (see luaflow_csv.h): records for the
/// complete input so far go to `out` as JSON lines with their file lines in `lines`, and a record
/// that is not valid UTF-8 is consumed and described in `bad`.
final class FileRecordReader {
    private enum Kind {
        case lines(OpaquePointer)
        case csv(OpaquePointer)
        case json(OpaquePointer)
    }

    private let kind: Kind

    /// Nil when the reader cannot be created (out of memory, or a delimiter CSV cannot use).
    init?(_ format: FileFormat, delimiter: UInt8) {
        switch format {
        case .jsonl: guard let r = luaflow_lines_reader_new(0) else { return nil }; kind = .lines(r)
        case .txt: guard let r = luaflow_lines_reader_new(1) else { return nil }; kind = .lines(r)
        case .csv: guard let r = luaflow_csv_reader_new(CChar(bitPattern: delimiter)) else { return nil }; kind = .csv(r)
        case .json: guard let s = luaflow_json_splitter_new() else { return nil }; kind = .json(s)
        }
    }

    deinit {
        switch kind {
        case .lines(let r): luaflow_lines_reader_free(r)
        case .csv(let r): luaflow_csv_reader_free(r)
        case .json(let s): luaflow_json_splitter_free(s)
        }
    }

    /// Reads the records in `count` bytes at `data`; returns the bytes consumed, or -1 with a
    /// message ("line 7: unterminated quoted field") in `err`.
    func read(_ data: UnsafePointer<CChar>, _ count: Int, _ atEOF: Bool, _ out: inout luaflow_buf,
              _ lines: inout luaflow_i64buf, _ bad: inout luaflow_bad_record, _ err: inout [CChar]) -> Int {
        let eof: Int32 = atEOF ? 1 : 0
        switch kind {
        case .lines(let r): return luaflow_lines_read(r, data, count, eof, &out, &lines, &bad, &err, err.count)
        case .csv(let r): return luaflow_csv_read(r, data, count, eof, &out, &lines, &bad, &err, err.count)
        case .json(let s): return luaflow_json_split(s, data, count, eof, &out, &lines, &bad, &err, err.count)
        }
    }
}
