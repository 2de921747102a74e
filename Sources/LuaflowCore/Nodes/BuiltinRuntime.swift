/// A built-in connector written in Swift in a target of its own (one that brings a dependency,
/// such as a database driver): its options as a Lua `schema` declaration, which the one config
/// validator checks before `make` runs, and the runtime it makes.
public struct BuiltinRuntime: Sendable {
    /// A Lua chunk declaring `schema = { ... }`, like a script's (see `lua/sink.file.lua`).
    public let schema: String
    /// Makes the node's runtime (a `SourceRuntime`, `TransformRuntime` or `SinkRuntime` of the
    /// role the built-in is registered under) from its checked config.
    public let make: @Sendable (BuiltinNode) throws -> any NodeRuntime
    /// `luaflow discover role.kind`: the streams a source offers (a database's tables, with their
    /// columns) and a schema inferred from up to `sample` records of each. The node's config is
    /// what `--config` and `--set` gave, not checked against `schema` (a table need not be named).
    public let discover: (@Sendable (_ node: BuiltinNode, _ sample: Int) throws -> [DiscoveredStream])?

    public init(schema: String, make: @escaping @Sendable (BuiltinNode) throws -> any NodeRuntime,
                discover: (@Sendable (_ node: BuiltinNode, _ sample: Int) throws -> [DiscoveredStream])? = nil) {
        self.schema = schema
        self.make = make
        self.discover = discover
    }
}

/// What a Swift built-in is made from: its declaration and the run's settings.
public struct BuiltinNode: Sendable {
    public let spec: NodeSpec
    public let pipeline: PipelineSpec
    public let stats: NodeStats
    /// `luaflow run --limit N`: a source stops after N records.
    public let limit: Int?
    /// `luaflow run --backfill`: the range a source that declares backfill reads instead of its
    /// incremental window (the others refuse it).
    public var backfill: BackfillRange? = nil

    /// The node's config (checked against its schema) as JSON text.
    public var configJSON: [UInt8] { spec.configJSON }

    /// `file:line` of the node's declaration in the pipeline, for error messages.
    public var declaredAt: String { spec.declaredAt(pipeline.file) }
}
