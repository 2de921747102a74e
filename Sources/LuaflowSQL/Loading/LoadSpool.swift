import Foundation

/// The batches of the open load, kept in a temporary file so a load whose connection broke can be
/// sent again on a new connection (the database rolled the load back with the connection).
/// Emptied when the load commits; removed with the sink. A failure (a full disk) is a ``Failure``
/// naming the file and the reason.
final class LoadSpool {
    private let path: String
    private var fd: Int32 = -1
    /// Bytes written since the last `clear`.
    private var end: Int64 = 0

    /// Why the spool could not be written or read, in words.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("luaflow-load-\(UUID().uuidString).spool").path
    }

    deinit { remove() }

    /// Adds a batch's text (its records, one a line).
    func append(_ text: UnsafeRawBufferPointer) throws {
        if fd < 0 {
            fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            if fd < 0 { throw failure("cannot create") }
        }
        var length = UInt64(text.count).littleEndian
        try withUnsafeBytes(of: &length) { try write($0) }
        try write(text)
    }

    /// Calls `body` with each batch added since the last `clear`, in order.
    func replay(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard fd >= 0 else { return }
        var offset: Int64 = 0
        var header = [UInt8](repeating: 0, count: 8)
        while offset < end {
            try header.withUnsafeMutableBytes { try read(into: $0, at: offset) }
            let length = header.withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
            var data = [UInt8](repeating: 0, count: length)
            try data.withUnsafeMutableBytes { try read(into: $0, at: offset + 8) }
            try data.withUnsafeBytes(body)
            offset += 8 + Int64(length)
        }
    }

    /// The load committed: its batches are no longer needed.
    func clear() throws {
        guard fd >= 0 else { return }
        if ftruncate(fd, 0) != 0 { throw failure("cannot empty") }
        end = 0
    }

    func remove() {
        if fd >= 0 { close(fd) }
        fd = -1
        unlink(path)
    }

    private func write(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(end) + off_t(done))
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { throw failure("cannot write") }
            done += n
        }
        end += Int64(bytes.count)
    }

    private func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { throw failure("cannot read") }
            done += n
        }
    }

    private func failure(_ what: String) -> Failure {
        let reason = errno == ENOSPC ? "the disk is full (no space left on device)" : String(cString: strerror(errno))
        return Failure(description: "\(what) \(path), where the open load is kept to be sent again after a lost connection: \(reason)"
            + " (set TMPDIR to a directory with room)")
    }
}
