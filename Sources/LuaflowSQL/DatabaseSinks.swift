import LuaflowCore

/// The database sinks this target adds, for `InstalledExtensions`.
public enum DatabaseSinks {
    public static var extensions: HostExtensions {
        HostExtensions(runtimes: ["sink.sqlite": SQLiteSink.runtime, "sink.postgres": PostgresSink.runtime(.shared)])
    }
}
