import CLuaShim
import Foundation

extension RecordBatch {
    /// The batch without its first `n` records (nil when nothing is left): a resumed source
    /// drops what the checkpoint already covers.
    func dropping(first n: Int) -> RecordBatch? {
        guard n < records, let bytes else { return nil }
        let text = bytes.assumingMemoryBound(to: UInt8.self)
        var start = 0
        var dropped = 0
        while dropped < n {
            guard let nl = memchr(bytes + start, 0x0A, length - start) else { return nil }
            let end = bytes.distance(to: nl)
            if (start..<end).contains(where: { ![0x20, 0x09, 0x0D].contains(text[$0]) }) { dropped += 1 }
            start = end + 1
        }
        var buffer = luaflow_buf()
        luaflow_buf_init(&buffer)
        _ = luaflow_buf_append(&buffer, bytes + start, length - start)
        var rest = origin
        if let lines = rest?.lines, lines.count > n { rest?.lines = Array(lines[n...]) }
        return RecordBatch(taking: &buffer, records: records - n, validated: validated, origin: rest)
    }
}
