import Foundation

/// The batches of the open load, kept in a temporary file so a load whose connection broke can be
/// sent again on a new connection (the database rolled the load back with the connection).
/// Emptied when the load commits; removed with the sink.
final class LoadSpool {
    private let path: String
    private var handle: FileHandle?

    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("luaflow-load-\(UUID().uuidString).spool").path
    }

    deinit { remove() }

    /// Adds a batch's text (its records, one a line).
    func append(_ text: UnsafeRawBufferPointer) throws {
        if handle == nil {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        }
        var length = UInt64(text.count).littleEndian
        try handle!.write(contentsOf: Data(bytes: &length, count: 8))
        try handle!.write(contentsOf: Data(text))
    }

    /// Calls `body` with each batch added since the last `clear`, in order.
    func replay(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let handle else { return }
        let end = try handle.offset()
        try handle.seek(toOffset: 0)
        while try handle.offset() < end {
            guard let header = try handle.read(upToCount: 8), header.count == 8 else { break }
            let length = header.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
            let data = try handle.read(upToCount: Int(length)) ?? Data()
            try data.withUnsafeBytes(body)
        }
        try handle.seek(toOffset: end)
    }

    /// The load committed: its batches are no longer needed.
    func clear() throws {
        guard let handle else { return }
        try handle.truncate(atOffset: 0)
    }

    func remove() {
        try? handle?.close()
        handle = nil
        try? FileManager.default.removeItem(atPath: path)
    }
}
