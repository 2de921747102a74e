/// Which files one script may open through `io.open`, `io.lines` and `require`. Every path is
/// absolute with its symlinks resolved (``LuaState/resolvingSymlinks(_:)``); the host fills it
/// from what the user configured, and scripts never see or change it.
public struct FileAccess: Sendable {
    /// Directories the script may use files under; relative paths start at the first.
    public var roots: [String]
    /// Files the script may read but not open for writing (the pipeline's own files).
    public var readOnly: [String]
    /// Path prefixes the script may not open at all (the state store and its journals).
    public var hidden: [String]

    public init(roots: [String], readOnly: [String] = [], hidden: [String] = []) {
        self.roots = roots
        self.readOnly = readOnly
        self.hidden = hidden
    }
}
