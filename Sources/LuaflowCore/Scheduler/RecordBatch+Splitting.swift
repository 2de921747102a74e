import CLuaShim
import Foundation

extension RecordBatch {
    /// The batch without its first `n` records (nil when nothing is left): a resumed source
    /// drops what the checkpoint already covers.
    func dropping(first n: Int) -> RecordBatch? {
        guard n < records, let start = offset(afterRecords: n) else { return nil }
        return slice(from: start, to: length, records: records - n, lines: n..<records)
    }

    /// The first `n` records and the rest (nil when `n` covers the batch): a checkpoint that falls
    /// inside a batch is sent between the two.
    func split(after n: Int) -> (head: RecordBatch, tail: RecordBatch?) {
        guard n > 0, n < records, let end = offset(afterRecords: n) else { return (self, nil) }
        return (slice(from: 0, to: end, records: n, lines: 0..<n),
                slice(from: end, to: length, records: records - n, lines: n..<records))
    }

    /// The byte offset just past the `n`th record (blank lines are not records).
    private func offset(afterRecords n: Int) -> Int? {
        guard let bytes else { return nil }
        guard n > 0 else { return 0 }
        let text = bytes.assumingMemoryBound(to: UInt8.self)
        var seen = 0
        for line in RecordLines(bytes, count: length) {
            guard line.upperBound < length else { return nil }
            if line.contains(where: { ![0x20, 0x09, 0x0D].contains(text[$0]) }) { seen += 1 }
            if seen == n { return line.upperBound + 1 }
        }
        return nil
    }

    private func slice(from start: Int, to end: Int, records: Int, lines: Range<Int>) -> RecordBatch {
        var buffer = luaflow_buf()
        luaflow_buf_init(&buffer)
        _ = luaflow_buf_append(&buffer, bytes! + start, end - start)
        var part = origin
        if let all = part?.lines, all.count >= lines.upperBound { part?.lines = Array(all[lines]) }
        return RecordBatch(taking: &buffer, records: records, validated: validated, origin: part)
    }
}
