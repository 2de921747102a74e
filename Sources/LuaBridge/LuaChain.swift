import CLua
import CLuaShim

/// Transforms of one state fused into a chain: each record goes through their `run` functions in
/// turn as a Lua value, in one C call per batch. What `emit()` produces in a stage continues at the
/// next stage. Each stage keeps its own counters, and a stage whose failures are skipped drops
/// only the failing item, noting `{stage (0-based), message}` in a list the caller provides.
public final class LuaChain {
    /// Records in, out and dropped by one stage.
    public struct StageCounts: Sendable, Equatable {
        public var recordsIn: Int
        public var recordsOut: Int
        public var dropped: Int
    }

    private let lua: LuaState
    private let stages: Int
    private let functions: UnsafeMutablePointer<Int32>
    private let skips: UnsafeMutablePointer<Int32>
    /// recordsIn of every stage, then recordsOut, then dropped.
    private let counters: UnsafeMutablePointer<Int64>
    private var chain: luaflow_chain

    /// A chain of `functions` (the stages' `run`) in `state`; `skipping[k]` says whether stage k's
    /// failures are skipped.
    public init(state: LuaState, functions: [LuaRef], skipping: [Bool]) {
        precondition(functions.count == skipping.count && !functions.isEmpty)
        lua = state
        stages = functions.count
        self.functions = .allocate(capacity: stages)
        self.functions.initialize(from: functions.map(\.id), count: stages)
        skips = .allocate(capacity: stages)
        skips.initialize(from: skipping.map { $0 ? 1 : 0 }, count: stages)
        counters = .allocate(capacity: 3 * stages)
        counters.initialize(repeating: 0, count: 3 * stages)
        chain = luaflow_chain(fns: UnsafePointer(self.functions), n: Int32(stages), in: counters, out: counters + stages,
                              dropped: counters + 2 * stages, failed_stage: 0, skip: UnsafePointer(skips), skipped_ref: LUA_NOREF)
    }

    deinit {
        functions.deallocate()
        skips.deallocate()
        counters.deallocate()
    }

    /// The stage the last failure came from (0-based).
    public var failedStage: Int { Int(chain.failed_stage) }

    /// Each stage's counts since the last `resetCounts()`.
    public var counts: [StageCounts] {
        (0..<stages).map {
            StageCounts(recordsIn: Int(counters[$0]), recordsOut: Int(counters[stages + $0]), dropped: Int(counters[2 * stages + $0]))
        }
    }

    /// Sets every stage's counts back to zero.
    public func resetCounts() {
        counters.update(repeating: 0, count: 3 * stages)
    }

    /// Runs each record of `io.in` through the stages; what leaves the last one is encoded to
    /// `io.out` (`io.returned` counts it). Skipped failures are appended to the list at `skipped`.
    /// Stops at the first failure that is not skipped (`failedStage` says whose).
    public func runBatch(_ io: inout luaflow_batch_io, skipped: LuaRef) throws {
        lua.checkOwner()
        chain.skipped_ref = skipped.id
        try lua.check(luaflow_run_chain_batch(lua.handle, &chain, &io), kind: .runtime)
    }

    /// Calls `function` (stage `stage`'s `finalize`) and sends what it returns or emits through
    /// the stages after it to `io.out`.
    public func finalize(stage: Int, function: LuaRef, io: inout luaflow_batch_io, skipped: LuaRef) throws {
        lua.checkOwner()
        chain.skipped_ref = skipped.id
        try lua.check(luaflow_run_chain_finalize(lua.handle, &chain, Int32(stage), function.id, &io), kind: .runtime)
    }
}
