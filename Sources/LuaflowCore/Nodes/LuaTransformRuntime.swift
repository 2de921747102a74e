import CLuaShim
import LuaBridge

/// A transform script: `run(item)` per record (return it, a new item, or nil to drop; `emit(x)`
/// for more), optional `init()` and `finalize()` (items it returns or emits are flushed last).
final class LuaTransformRuntime: TransformRuntime {
    let node: LuaScriptNode
    let stats: NodeStats
    private let loop: LuaRecordLoop
    private let runFunction: LuaRef

    init(node: LuaScriptNode, stats: NodeStats) throws {
        self.node = node
        self.stats = stats
        loop = LuaRecordLoop(node: node, stats: stats)
        runFunction = try node.required("run", signature: "run(item)")
        holdsRecords = node.defines("finalize")
    }

    let holdsRecords: Bool

    func open() throws {
        node.lua.claim()
        try node.callHook("init")
    }

    func process(_ batch: RecordBatch) throws -> RecordBatch? {
        var out = luaflow_buf()
        luaflow_buf_init(&out)
        defer { luaflow_buf_free(&out) }
        let outcome = try loop.run(batch, fn: runFunction, isSink: false, out: &out)
        stats.update {
            $0.recordsIn += outcome.records
            $0.recordsOut += outcome.produced
            $0.dropped += outcome.dropped
        }
        guard outcome.produced > 0 else { return nil }
        return RecordBatch(taking: &out, records: outcome.produced, validated: true)
    }

    /// `finalize()`: items it returns or emits become a last batch.
    func finish() throws -> RecordBatch? {
        guard let fn = node.function("finalize") else { return nil }
        var out = luaflow_buf()
        luaflow_buf_init(&out)
        defer { luaflow_buf_free(&out) }
        var produced: Int64 = 0
        let status = luaflow_run_hook(node.lua.handle, fn.id, &out, &produced)
        if status != 0 {
            throw PipelineError(node.spec, phase: "finalize", lua: node.lua.popError(status: status, kind: .runtime))
        }
        luaflow_pop(node.lua.handle, 1)
        stats.update { $0.recordsOut += Int(produced) }
        guard produced > 0 else { return nil }
        return RecordBatch(taking: &out, records: Int(produced), validated: true)
    }
}
