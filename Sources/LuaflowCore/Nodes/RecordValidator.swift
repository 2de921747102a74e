import LuaBridge

/// What a Swift built-in sink needs of the record path: raw batches (straight from a source)
/// checked as JSON, and the node's `on_error` policy applied to a record it cannot write.
/// Owned by the sink's thread: call `open()` there before the first batch.
public final class RecordValidator {
    private let spec: NodeSpec
    private let stats: NodeStats
    private let lua: LuaState
    private let loop: LuaRecordLoop

    public init(_ node: BuiltinNode) throws {
        spec = node.spec
        stats = node.stats
        lua = try LuaState(memoryLimit: node.spec.options.memoryLimitMB << 20, instructionLimit: 0)
        loop = LuaRecordLoop(spec: node.spec, lua: lua, stats: node.stats)
    }

    /// Binds the validator to the calling thread (the sink's).
    public func open() { lua.claim() }

    /// Every record of `batch` as valid JSON: bad ones fail the run or are skipped under the
    /// reading node's `on_error`.
    public func validated(_ batch: RecordBatch) throws -> RecordBatch {
        try loop.validated(batch)
    }

    /// Applies the node's `on_error` to a record it cannot take (`fail` rethrows `failure`;
    /// `skip` counts and logs it; `dead_letter` also writes `record` to the dead-letter file).
    public func reject(_ failure: PipelineError, record: [UInt8]?) throws {
        try ErrorPolicy.apply(failure, spec: spec, stats: stats, record: record)
    }
}
