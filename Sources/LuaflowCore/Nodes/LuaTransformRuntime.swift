import CLuaShim
import LuaBridge

/// A transform script: `run(item)` per record (return it, a new item, or nil to drop; `emit(x)`
/// for more), optional `init()` and `finalize()` (items it returns or emits are flushed last), and
/// `every(seconds, fn)` timers whose functions may emit too.
final class LuaTransformRuntime: TransformRuntime, TimerNode {
    let node: LuaScriptNode
    let stats: NodeStats
    private let loop: LuaRecordLoop
    private let runFunction: LuaRef

    init(node: LuaScriptNode, stats: NodeStats) throws {
        self.node = node
        self.stats = stats
        loop = LuaRecordLoop(node: node, stats: stats)
        runFunction = try node.required("run", signature: "run(item)")
        // A timer emits what earlier records left in the script (a window): they wait inside too.
        holdsRecords = node.defines("finalize") || node.timers.active
    }

    let holdsRecords: Bool

    func sampleResources() { stats.sample(node.lua) }

    func open() throws {
        node.lua.claim()
        node.timers.start()
        try node.callHook("init")
    }

    var secondsUntilTimer: Double? { node.timers.secondsUntilNext }

    /// The due timers; what they emit becomes a batch.
    func fireTimers() throws -> RecordBatch? {
        guard let fire = node.timers.fire else { return nil }
        var out = luaflow_buf()
        luaflow_buf_init(&out)
        defer { luaflow_buf_free(&out) }
        let produced: Int
        do {
            produced = try node.lua.callEmitting(fire, into: &out)
        } catch let error as LuaError {
            throw PipelineError(node.spec, phase: "timer", lua: error)
        }
        stats.update { $0.recordsOut += produced }
        guard produced > 0 else { return nil }
        return RecordBatch(taking: &out, records: produced, validated: true)
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
        let produced: Int
        do {
            produced = try node.lua.callEmitting(fn, into: &out)
        } catch let error as LuaError {
            throw PipelineError(node.spec, phase: "finalize", lua: error)
        }
        stats.update { $0.recordsOut += produced }
        guard produced > 0 else { return nil }
        return RecordBatch(taking: &out, records: produced, validated: true)
    }
}
