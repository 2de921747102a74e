import CLuaShim
import Foundation

/// Writes a file so that readers see either the old content or the complete new one: bytes go to
/// a hidden in-progress file beside the target (`.name.partial`), which is fsynced (`sync`) and
/// renamed over it (`publish`), or removed (`abort`). In a checkpointed run the in-progress file
/// outlives a failure or crash and the next run continues it from the last checkpoint (`resume`).
final class AtomicFileWriter {
    let path: String
    let tempPath: String
    /// Bytes in the in-progress file.
    private(set) var length: Int64 = 0
    private var fd: Int32 = -1
    private var resumeLength: Int64?
    /// Keep the in-progress file on abort: the next run resumes it.
    private var resumable = false

    init(path: String) {
        self.path = path
        tempPath = Self.partialPath(for: path)
    }

    /// Where the in-progress output of `path` is written.
    static func partialPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial").path
    }

    /// Makes the writer resumable; with `length`, `open` continues the in-progress file cut back
    /// to that many bytes instead of starting it again.
    func resume(at length: Int64?) {
        resumable = true
        resumeLength = length
    }

    func open() throws {
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        if let resumeLength {
            fd = Foundation.open(tempPath, O_WRONLY | O_CLOEXEC)
            if fd < 0 { throw FileConfigError("cannot resume \(path): its in-progress output \(tempPath) is gone (\(String(cString: strerror(errno)))); run with --full-refresh to start over") }
            var info = stat()
            fstat(fd, &info)
            guard Int64(info.st_size) >= resumeLength else {
                throw FileConfigError("cannot resume \(path): its in-progress output has \(info.st_size) bytes, the checkpoint covers \(resumeLength); run with --full-refresh to start over")
            }
            if ftruncate(fd, off_t(resumeLength)) != 0 || lseek(fd, 0, SEEK_END) < 0 {
                throw FileConfigError("cannot resume \(tempPath): \(String(cString: strerror(errno)))")
            }
            length = resumeLength
        } else {
            fd = Foundation.open(tempPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            if fd < 0 { throw FileConfigError("cannot create \(tempPath): \(String(cString: strerror(errno)))") }
        }
        if !resumable { luaflow_track_temp_file(tempPath) }
    }

    /// Starts the in-progress file with the target's current content (`mode = "append"`, dead
    /// letters), ending it with a newline. Returns the first MiB of that content (where a CSV header
    /// is), nil when there was none.
    func copyTarget() throws -> [UInt8]? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var head: [UInt8]?
        var last: UInt8 = 0x0A
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            if head == nil { head = Array(chunk) }
            try chunk.withUnsafeBytes { try write($0.baseAddress!, count: $0.count) }
            last = chunk.last!
        }
        if last != 0x0A { try write("\n") }
        return head
    }

    func write(_ bytes: UnsafeRawPointer, count: Int) throws {
        var offset = 0
        while offset < count {
            let n = Foundation.write(fd, bytes + offset, count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileConfigError("cannot write \(path): \(String(cString: strerror(errno)))")
            }
            offset += n
        }
        length += Int64(count)
    }

    func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write($0.baseAddress!, count: $0.count) }
    }

    /// Makes everything written so far durable, and keeps the file open for more (a checkpoint).
    func flush() throws {
        guard fd >= 0 else { return }
        if fsync(fd) != 0 { throw FileConfigError("cannot sync \(path): \(String(cString: strerror(errno)))") }
    }

    /// Makes the new content durable (still under the in-progress name) and closes it.
    func sync() throws {
        guard fd >= 0 else { return }
        try flush()
        close(fd)
        fd = -1
    }

    /// Makes the synced content visible at `path`.
    func publish() throws {
        defer { luaflow_untrack_temp_file(tempPath) }
        try Self.publish(tempPath, to: path)
    }

    /// Renames a finished in-progress file over its target.
    private static func publish(_ partial: String, to path: String) throws {
        if rename(partial, path) != 0 {
            throw FileConfigError("cannot move the finished output to \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Publishes what a run that was killed while publishing had synced, if it is still there.
    func publishIfFinished() throws {
        defer { luaflow_untrack_temp_file(tempPath) }
        if access(tempPath, F_OK) == 0 { try Self.publish(tempPath, to: path) }
    }

    /// Drops the partial output (kept for the next run when resumable and `keepingProgress`: a
    /// committed checkpoint covers part of it); `path` is untouched.
    func abort(keepingProgress: Bool = false) {
        if fd >= 0 { close(fd) }
        fd = -1
        if !(resumable && keepingProgress) { unlink(tempPath) }
        luaflow_untrack_temp_file(tempPath)
    }
}
