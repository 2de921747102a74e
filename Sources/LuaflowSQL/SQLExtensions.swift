import LuaflowCore

/// The database built-ins and the `sql` module, for the runner: the one place LuaflowSQL is
/// handed to the commands (`InstalledExtensions`).
public enum SQLExtensions {
    public static func extensions(runtime: SQLRuntime = .shared) -> HostExtensions {
        HostExtensions(modules: [SQLLuaModule(runtime: runtime)],
                       runtimes: [
                           "source.postgres": BuiltinRuntime(schema: BundledLua.sourcePostgres.source,
                                                             make: { try SQLSources.postgres($0, runtime: runtime) },
                                                             discover: { try SQLDiscovery.postgres($0, sample: $1, runtime: runtime) }),
                           "source.sqlite": BuiltinRuntime(schema: BundledLua.sourceSqlite.source,
                                                           make: { try SQLSources.sqlite($0, runtime: runtime) },
                                                           discover: { try SQLDiscovery.sqlite($0, sample: $1, runtime: runtime) }),
                           "sink.postgres": PostgresSink.runtime(runtime),
                           "sink.sqlite": SQLiteSink.runtime,
                       ],
                       onInterrupt: [{ runtime.interrupt() }])
    }
}
