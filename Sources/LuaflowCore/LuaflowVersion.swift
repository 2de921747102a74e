import LuaBridge

/// What `luaflow --version` prints: the release, the Lua it embeds and how it was built.
public enum LuaflowVersion {
    /// The release of luaflow (semantic versioning).
    public static let number = "0.5.0"

    public static var description: String {
        #if DEBUG
        let configuration = "debug"
        #else
        let configuration = "release"
        #endif
        #if os(Linux)
        let system = "Linux"
        #elseif os(macOS)
        let system = "macOS"
        #else
        let system = "unknown system"
        #endif
        #if arch(x86_64)
        let architecture = "x86_64"
        #elseif arch(arm64)
        let architecture = "arm64"
        #else
        let architecture = "unknown architecture"
        #endif
        return """
        luaflow \(number)
        \(LuaState.release) (system liblua5.4)
        \(configuration) build for \(system) \(architecture)
        """
    }
}
