import Foundation

/// `on_error = "dead_letter"`: failed records, with the node, the error and the time, appended to
/// `<node>.dead.jsonl` beside the pipeline. Earlier runs' entries are kept; the file is replaced
/// atomically when the run ends (copy + append in the in-progress file, then rename).
final class DeadLetterFile: Sendable {
    let path: String
    private let node: String
    /// This run's entries, once there is one.
    private let writer = Locked<AtomicFileWriter?>(nil)

    init(node: String, directory: String) {
        self.node = node
        let safe = node.map { $0.isLetter || $0.isNumber || "._-".contains($0) ? $0 : "_" }
        path = directory + "/" + String(safe) + ".dead.jsonl"
    }

    /// Writes one entry; `record` is the record's JSON text: `record` when it is JSON, else
    /// `record_text` when it is UTF-8 text, else `record_base64` (the exact bytes, e.g. a line
    /// with invalid UTF-8), so that every entry is itself valid JSON.
    func append(error: String, record: [UInt8]?) throws {
        var entry: [String: Any] = ["time": WallClock.system.timestamp(), "node": node, "error": Redactor.shared.redact(error)]
        if let record {
            let text = String(decoding: record, as: UTF8.self) // invalid bytes become U+FFFD
            if !text.utf8.elementsEqual(record) {
                entry["record_base64"] = Data(record).base64EncodedString()
            } else if let value = try? JSONSerialization.jsonObject(with: Data(record), options: [.fragmentsAllowed]) {
                entry["record"] = value
            } else {
                entry["record_text"] = Redactor.shared.redact(text)
            }
        }
        var line = try JSONSerialization.data(withJSONObject: entry, options: [.sortedKeys])
        line.append(0x0A)
        try writer.withLock { current in
            let writer = try current ?? open()
            current = writer
            try line.withUnsafeBytes { try writer.write($0.baseAddress!, count: $0.count) }
        }
    }

    /// Makes this run's entries visible (after the earlier ones); nothing happens when there were none.
    func publish() throws {
        try writer.withLock { current in
            guard let writer = current else { return }
            try writer.sync()
            try writer.publish()
            current = nil
        }
    }

    private func open() throws -> AtomicFileWriter {
        let writer = AtomicFileWriter(path: path)
        try writer.open()
        _ = try writer.copyTarget() // earlier runs' entries first, streamed
        return writer
    }
}
