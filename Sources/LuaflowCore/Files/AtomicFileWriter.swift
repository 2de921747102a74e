import CLuaShim
import Foundation

/// Writes a file so that readers see either the old content or the complete new one: bytes go to
/// a hidden temp file beside the target, which is fsynced (`sync`) and renamed over it
/// (`publish`), or removed (`abort`).
final class AtomicFileWriter {
    let path: String
    let tempPath: String
    private var fd: Int32 = -1

    init(path: String) {
        self.path = path
        let url = URL(fileURLWithPath: path)
        tempPath = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())").path
    }

    func open() throws {
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        fd = Foundation.open(tempPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw FileConfigError("cannot create \(tempPath): \(String(cString: strerror(errno)))") }
        luaflow_track_temp_file(tempPath)
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
    }

    func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write($0.baseAddress!, count: $0.count) }
    }

    /// Makes the new content durable (still under the temp name).
    func sync() throws {
        guard fd >= 0 else { return }
        if fsync(fd) != 0 { throw FileConfigError("cannot sync \(path): \(String(cString: strerror(errno)))") }
        close(fd)
        fd = -1
    }

    /// Makes the synced content visible at `path`.
    func publish() throws {
        defer { luaflow_untrack_temp_file(tempPath) }
        if rename(tempPath, path) != 0 {
            throw FileConfigError("cannot move the finished output to \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Drops the partial output; the previous file at `path` is untouched.
    func abort() {
        if fd >= 0 { close(fd) }
        fd = -1
        unlink(tempPath)
        luaflow_untrack_temp_file(tempPath)
    }
}
