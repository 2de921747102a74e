import LuaBridge

/// Files of a pipeline that its scripts may not change or see: pipeline.lua, the config file and
/// the node scripts are read-only to them; the state store (and its journals) is closed to them.
/// Paths are kept absolute with symlinks resolved, as the sandbox compares them.
public struct ProtectedFiles: Sendable {
    public private(set) var readOnly: [String] = []
    /// Path prefixes: the state store `state.db` covers `state.db-wal` and `state.db-shm`.
    public private(set) var hidden: [String] = []

    public init() {}

    /// Makes the file at `path` read-only to scripts.
    public mutating func protect(_ path: String) {
        readOnly.append(LuaState.resolvingSymlinks(path))
    }

    /// Closes the files whose path starts with `path` to scripts.
    public mutating func hide(_ path: String) {
        hidden.append(LuaState.resolvingSymlinks(path))
    }
}
