import CLuaShim
import Foundation

/// Records in transit between nodes: JSON text, one record per line, in one malloc'd buffer that
/// stages share read-only (fan-out hands the same batch to every output).
public final class RecordBatch: @unchecked Sendable {
    /// Where raw records came from, so a consumer that finds a bad one can point at its file line
    /// and apply the reading node's on_error policy and counters.
    public struct Origin: Sendable {
        public var node: String
        public var path: String
        /// Line number in `path` where each record starts, by record index.
        public var lines: [Int64]
        public var onError: NodeOptions.OnError
        public var stats: NodeStats
    }

    let bytes: UnsafeMutableRawPointer?
    let length: Int
    /// Number of records (non-blank lines).
    public let records: Int
    /// True when the text was produced by luaflow's encoder (known valid JSON).
    public let validated: Bool
    public let origin: Origin?
    /// Set on a checkpoint marker (a batch with no records) that a source sends after its batches.
    let checkpoint: Checkpoint?

    /// Takes ownership of `buffer`'s bytes, leaving it empty.
    init(taking buffer: inout luaflow_buf, records: Int, validated: Bool, origin: Origin? = nil) {
        var len = 0
        bytes = UnsafeMutableRawPointer(luaflow_buf_detach(&buffer, &len))
        length = len
        self.records = records
        self.validated = validated
        self.origin = origin
        checkpoint = nil
    }

    /// A batch of `records` JSON texts, one per line (each ending with a newline), copied from
    /// `lines`: how a source in another target hands over what it received. `validated`: every
    /// line is known to be one valid JSON value.
    public convenience init(copying lines: UnsafeRawBufferPointer, records: Int, validated: Bool) {
        var buffer = luaflow_buf()
        luaflow_buf_init(&buffer)
        if let base = lines.baseAddress, lines.count > 0 { _ = luaflow_buf_append(&buffer, base, lines.count) }
        self.init(taking: &buffer, records: records, validated: validated)
    }

    /// A checkpoint marker: no records; stages pass it on in order, sinks acknowledge it.
    init(marker: Checkpoint) {
        bytes = nil
        length = 0
        records = 0
        validated = true
        origin = nil
        checkpoint = marker
    }

    deinit { free(bytes) }

    var pointer: UnsafePointer<CChar>? {
        bytes.map { UnsafePointer($0.assumingMemoryBound(to: CChar.self)) }
    }

    /// The text of the record at byte `offset`, shortened for messages.
    func excerpt(at offset: Int, length: Int, limit: Int = 200) -> String {
        guard let bytes, offset >= 0, offset + length <= self.length else { return "" }
        let n = min(length, limit)
        let text = String(decoding: UnsafeRawBufferPointer(start: bytes + offset, count: n), as: UTF8.self)
        return length > limit ? text + "…" : text
    }

    /// "users.jsonl:17" for record `index`, when the batch came straight from a file.
    func fileLocation(ofRecord index: Int) -> String? {
        guard let origin, index >= 0, index < origin.lines.count else { return nil }
        return "\(origin.path):\(origin.lines[index])"
    }
}
