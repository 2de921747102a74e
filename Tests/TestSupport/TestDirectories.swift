import Foundation

/// The temporary directories of a test process, all under one root (`luaflow-tests-<pid>` in the
/// system's temporary directory) that is removed when the process exits. A root left behind by a
/// test process that crashed is removed by the next one.
public enum TestDirectories {
    /// A new empty directory named `<prefix>-<UUID>`.
    public static func make(_ prefix: String) throws -> URL {
        let url = try unused(prefix)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A path named `<prefix>-<UUID>` that nothing uses yet, for a copy to create.
    public static func unused(_ prefix: String) throws -> URL {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return root.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    }

    private static let rootPrefix = "luaflow-tests-"

    private static let root: URL = {
        removeRootsOfEndedProcesses()
        atexit { try? FileManager.default.removeItem(at: TestDirectories.root) }
        return FileManager.default.temporaryDirectory.appendingPathComponent(rootPrefix + String(getpid()))
    }()

    private static func removeRootsOfEndedProcesses() {
        let temporary = FileManager.default.temporaryDirectory
        for name in (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? [] where name.hasPrefix(rootPrefix) {
            guard let pid = pid_t(name.dropFirst(rootPrefix.count)), kill(pid, 0) != 0, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(at: temporary.appendingPathComponent(name))
        }
    }
}
