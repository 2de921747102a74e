import CLuaShim
import Foundation
import LuaBridge

/// CSV: a header row, then one row per record with the fields of `columns` (configured, or the
/// keys of the first record: then every field of every record must be one of them).
final class CSVEncoder: RecordEncoder {
    private(set) var columns: [String]?
    private let delimiter: UInt8
    /// Configured columns select fields; inferred ones must hold every field of every record.
    private let columnsConfigured: Bool
    private let lua: LuaState
    private let loop: LuaRecordLoop
    private var columnsRef: LuaRef?
    /// The current segment began before the columns were known: its header comes with the first rows.
    private var headerPending = false

    /// Runs the rows through `loop`'s Lua state; `columns` nil: inferred from the first record.
    init(delimiter: UInt8, columns: [String]?, loop: LuaRecordLoop) {
        self.delimiter = delimiter
        self.columns = columns
        columnsConfigured = columns != nil
        lua = loop.lua
        self.loop = loop
    }

    var fileExtension: String { delimiter == 0x09 ? "tsv" : "csv" }
    var contentType: String { delimiter == 0x09 ? "text/tab-separated-values" : "text/csv" }

    func restore(columns: [String]?) {
        if let columns, !columnsConfigured { self.columns = columns }
    }

    func begin(_ segment: SegmentWriter) throws {
        headerPending = columns == nil
        if let columns { try writeHeader(columns, to: segment) }
    }

    /// The content's header row gives the columns (configured ones must be the same); content
    /// without one (blank) gets the sink's header.
    func append(after head: [UInt8]) throws -> Bool {
        guard let existing = try CSVHeader.columns(in: head, delimiter: delimiter) else { return false }
        if let columns, columnsConfigured, columns != existing {
            throw FileConfigError("its columns are \(existing.joined(separator: ", ")), the sink's are \(columns.joined(separator: ", "))")
        }
        columns = existing
        return true
    }

    func encode(_ batch: RecordBatch, into segment: () throws -> SegmentWriter) throws -> Int {
        if columnsRef == nil {
            if columns == nil {
                guard let bytes = batch.bytes else { return 0 }
                var lines = RecordLines(bytes, count: batch.length)
                let firstLine = lines.next() ?? 0..<0
                columns = JSONText.topLevelKeys(UnsafeRawBufferPointer(start: bytes, count: firstLine.count)) ?? []
            }
            columnsRef = try lua.decodeJSON(Array(try JSONEncoder().encode(columns!)))
        }
        var out = luaflow_buf()
        luaflow_buf_init(&out)
        defer { luaflow_buf_free(&out) }
        let outcome = try loop.run(batch, out: &out) { [lua, columnsRef, delimiter, columnsConfigured] io in
            try lua.writeCSVRows(columns: columnsRef!, delimiter: delimiter, ignoringOtherFields: columnsConfigured, io: &io)
        }
        if headerPending || out.data != nil {
            let target = try segment()
            if headerPending, let columns {
                try writeHeader(columns, to: target)
                headerPending = false
            }
            if let data = out.data { try target.write(data, count: out.len) }
        }
        return outcome.produced
    }

    func end(_ segment: SegmentWriter) throws {
        headerPending = false
    }

    private func writeHeader(_ columns: [String], to segment: SegmentWriter) throws {
        var out = luaflow_buf()
        luaflow_buf_init(&out)
        defer { luaflow_buf_free(&out) }
        for (i, c) in columns.enumerated() {
            if i > 0 { _ = luaflow_buf_append(&out, [delimiter], 1) }
            var c = c
            c.withUTF8 { _ = luaflow_csv_append_field(&out, UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), $0.count, CChar(bitPattern: delimiter)) }
        }
        _ = luaflow_buf_append(&out, "\n", 1)
        try segment.write(out.data, count: out.len)
    }
}
