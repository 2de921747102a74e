import LuaBridge

/// A host module that other targets (LuaflowHTTP) add to every Lua node: it installs its
/// functions into the script's environment. Runs on the loading thread, before `init()`.
public protocol HostModule: Sendable {
    func install(into lua: LuaState, env: LuaRef, node: NodeContext) throws
}

/// What a host module may know about the node it is installed into.
public struct NodeContext: Sendable {
    public let spec: NodeSpec
    public let pipeline: PipelineSpec
    public let stats: NodeStats
}

/// Built-in connectors written in Lua on top of host modules (`source.http`, `sink.http`).
public struct BuiltinScript: Sendable {
    /// The Lua source of the connector (it declares its `schema` and contract functions).
    public let code: String

    public init(code: String) {
        self.code = code
    }
}

/// The registry of host modules and built-in connectors handed to the runner: the engine's own
/// built-ins (``CoreConnectors``) and those of the targets that add some (`LuaflowHTTP`,
/// `LuaflowSQL`...). Name lists, `luaflow spec` and help texts are derived from it.
public struct HostExtensions: Sendable {
    public var modules: [any HostModule] = []
    /// Built-ins written in Lua, keyed by `role.kind`, e.g. `source.http`.
    public var builtins: [String: BuiltinScript]
    /// Built-ins written in Swift, keyed by `role.kind`, e.g. `sink.postgres`.
    public var runtimes: [String: BuiltinRuntime]
    /// Called once when a stop signal arrives, to end what the modules have blocked (requests,
    /// retry sleeps) at once.
    public var onInterrupt: [@Sendable () -> Void] = []

    public init(modules: [any HostModule] = [], builtins: [String: BuiltinScript] = [:],
                runtimes: [String: BuiltinRuntime] = [:], onInterrupt: [@Sendable () -> Void] = []) {
        self.modules = modules
        self.builtins = CoreConnectors.builtins.merging(builtins) { $1 }
        self.runtimes = CoreConnectors.runtimes.merging(runtimes) { $1 }
        self.onInterrupt = onInterrupt
    }

    /// Every built-in connector (`sink.file`, `source.http`...), sorted.
    public var connectorNames: [String] { (Array(builtins.keys) + runtimes.keys).sorted() }

    /// These extensions and `other`'s together (`other` wins for a built-in both name).
    public func merging(_ other: HostExtensions) -> HostExtensions {
        HostExtensions(modules: modules + other.modules, builtins: builtins.merging(other.builtins) { $1 },
                       runtimes: runtimes.merging(other.runtimes) { $1 }, onInterrupt: onInterrupt + other.onInterrupt)
    }
}
