import CLuaShim

/// A JSON array: `[`, the records one per line separated by commas, `]`.
final class JSONArrayEncoder: RecordEncoder {
    var fileExtension: String { "json" }
    var contentType: String { "application/json" }
    /// The current segment holds an element already (the next one follows a comma).
    private var holdsElements = false

    func begin(_ segment: SegmentWriter) throws {
        try segment.write("[", count: 1)
        holdsElements = false
    }

    /// A segment holding more than its `[` holds elements.
    func resume(_ segment: SegmentWriter) {
        holdsElements = segment.size > 1
    }

    func encode(_ batch: RecordBatch, into segment: () throws -> SegmentWriter) throws -> Int {
        guard let bytes = batch.bytes else { return 0 }
        var target: SegmentWriter?
        var out = luaflow_buf()
        luaflow_buf_init(&out)
        defer { luaflow_buf_free(&out) }
        var records = 0
        for line in RecordLines(bytes, count: batch.length) where !line.isEmpty {
            if target == nil { target = try segment() }
            let separator = holdsElements ? ",\n" : "\n"
            guard luaflow_buf_append(&out, separator, separator.utf8.count) == 0,
                  luaflow_buf_append(&out, bytes + line.lowerBound, line.count) == 0 else {
                throw FileConfigError("out of memory encoding a batch of \(batch.records) records as JSON")
            }
            holdsElements = true
            records += 1
        }
        if let target, let data = out.data { try target.write(data, count: out.len) }
        return records
    }

    func end(_ segment: SegmentWriter) throws {
        let close = holdsElements ? "\n]\n" : "]\n"
        try segment.write(close, count: close.utf8.count)
    }
}
