import Foundation

/// An exclusive lock on a pipeline's state for the life of a run, so two runs of one pipeline on
/// this machine cannot interleave their checkpoints. Released when the process exits, even by
/// SIGKILL. A lock file beside the state file, per pipeline: other pipelines of the directory
/// may run meanwhile.
public final class StateLock {
    private let fd: Int32

    /// Takes the lock of `pipeline`'s state kept at `location`, or throws when a run holds it.
    init(location: String, pipeline: String) throws {
        let path = Self.path(location: location, pipeline: pipeline)
        try? FileManager.default.createDirectory(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path,
                                                 withIntermediateDirectories: true)
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw PipelineError(.runtime, node: "state", phase: "state", "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            close(fd)
            throw PipelineError(.runtime, node: "state", phase: "state",
                                "another luaflow run is using this pipeline's state (\(path)); wait for it to finish")
        }
    }

    deinit { close(fd) }

    /// Whether a run of `pipeline` holds the lock of its state kept at `location` now.
    public static func isHeld(location: String, pipeline: String) -> Bool {
        let fd = open(path(location: location, pipeline: pipeline), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) != 0 { return true }
        flock(fd, LOCK_UN)
        return false
    }

    private static func path(location: String, pipeline: String) -> String {
        location + "." + pipeline + ".lock"
    }
}
