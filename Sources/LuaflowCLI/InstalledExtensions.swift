import LuaflowCore
import LuaflowHTTP
import LuaflowSQL

/// Every host module and built-in beyond the core ones: the one place where a target that adds
/// connectors (`LuaflowHTTP`...) is plugged into the commands.
enum InstalledExtensions {
    static func all(http: HTTPRuntime = .shared) -> HostExtensions {
        HTTPLuaModule.extensions(runtime: http).merging(DatabaseSinks.extensions)
    }
}
