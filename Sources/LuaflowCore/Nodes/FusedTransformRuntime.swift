import CLuaShim
import Foundation
import LuaBridge

/// Adjacent transforms fused into one stage: the scripts share one Lua state (each in its own
/// environment) and a record goes from one run() to the next as a Lua value, without being
/// encoded or crossing a queue. Each member keeps its own counters, errors and on_error policy.
final class FusedTransformRuntime: TransformRuntime, TimerNode {
    private let members: [LuaScriptNode]
    private let memberStats: [NodeStats]
    private let loops: [LuaRecordLoop]
    private let chain: LuaChain
    private let lua: LuaState
    private var seen = 0

    var stats: NodeStats { memberStats[0] }

    /// The chain shares one state: its numbers go to the chain's first node.
    func sampleResources() { stats.sample(lua) }
    let holdsRecords: Bool

    init(specs: [NodeSpec], pipeline: PipelineSpec, stats: [NodeStats], extensions: HostExtensions) throws {
        lua = try LuaScriptNode.makeState(for: specs, pipeline: pipeline)
        var members: [LuaScriptNode] = []
        var problems: [PipelineError] = []
        for (spec, memberStats) in zip(specs, stats) {
            do {
                members.append(try LuaScriptNode(spec: spec, pipeline: pipeline, stats: memberStats, extensions: extensions, state: lua))
            } catch let error as PipelineErrors {
                problems += error.errors
            } catch let error as PipelineError {
                problems.append(error)
            }
        }
        if !problems.isEmpty { throw PipelineErrors(problems) }
        self.members = members
        memberStats = stats
        loops = zip(members, stats).map { LuaRecordLoop(node: $0, stats: $1) }
        chain = LuaChain(state: lua, functions: try members.map { try $0.required("run", signature: "run(item)") },
                         skipping: members.map { $0.spec.options.onError == .skip })
        holdsRecords = members.contains { $0.defines("finalize") || $0.timers.active }
    }

    func open() throws {
        lua.claim()
        for member in members {
            member.timers.start()
            try member.callHook("init")
        }
    }

    var secondsUntilTimer: Double? { members.compactMap(\.timers.secondsUntilNext).min() }

    /// Each member's due timers, in order; what one emits goes through the members after it.
    func fireTimers() throws -> RecordBatch? {
        var io = luaflow_batch_io()
        return try withChain(&io) { skipped, io in
            for (k, member) in members.enumerated() {
                guard member.timers.active, let fire = member.timers.fire else { continue }
                do {
                    try chain.finalize(stage: k, function: fire, io: &io, skipped: skipped)
                } catch let error as LuaError {
                    throw PipelineError(members[chain.failedStage].spec, phase: "timer", lua: error)
                }
            }
        }
    }

    func recordTime(_ seconds: Double) {
        for s in memberStats { s.update { $0.seconds = max($0.seconds, seconds) } }
    }

    func process(_ batch: RecordBatch) throws -> RecordBatch? {
        var io = luaflow_batch_io()
        io.`in` = batch.pointer
        io.in_len = batch.length
        io.lazy = members[0].spec.options.lazyRecords ? 1 : 0
        let batchOut = try withChain(&io) { skipped, io in
            while true {
                do {
                    try chain.runBatch(&io, skipped: skipped)
                    break
                } catch let error as LuaError {
                    try loops[chain.failedStage].fail(error, batch: batch, io: io, recordNumber: seen + Int(io.records))
                }
                io.out.pointee.len = io.record_out_start
                io.pos = io.record_start + io.record_len
            }
        }
        seen += Int(io.records)
        return batchOut
    }

    /// Each member's finalize(), in order; what it yields goes through the members after it.
    func finish() throws -> RecordBatch? {
        var io = luaflow_batch_io()
        return try withChain(&io) { skipped, io in
            for (k, member) in members.enumerated() {
                guard let fn = member.function("finalize") else { continue }
                do {
                    try chain.finalize(stage: k, function: fn, io: &io, skipped: skipped)
                } catch let error as LuaError {
                    throw PipelineError(members[chain.failedStage].spec, phase: "finalize", lua: error)
                }
            }
        }
    }

    /// Logs and counts the failures that members with on_error = "skip" skipped inside the chain.
    private func reportSkipped(_ list: LuaRef) throws {
        let json = try lua.encodeJSON(list)
        guard json.count > 2, let entries = try JSONSerialization.jsonObject(with: Data(json)) as? [[Any]] else { return }
        for entry in entries {
            guard let k = entry.first as? Int, let message = entry.last as? String else { continue }
            try loops[k].handle(PipelineError(.runtime, node: members[k].spec.name, phase: "run", message))
        }
    }

    /// Runs `body` with the list that collects skipped failures and an output buffer, then adds the
    /// per-member counters to their stats and wraps the output (nil when nothing came out).
    private func withChain(_ io: inout luaflow_batch_io,
                           _ body: (LuaRef, inout luaflow_batch_io) throws -> Void) throws -> RecordBatch? {
        var out = luaflow_buf()
        luaflow_buf_init(&out)
        defer { luaflow_buf_free(&out) }
        chain.resetCounts()
        let skipped = lua.newTable()
        defer { lua.release(skipped) }
        try withUnsafeMutablePointer(to: &out) { outPtr in
            io.out = outPtr
            try body(skipped, &io)
        }
        try reportSkipped(skipped)
        for (memberStats, counts) in zip(memberStats, chain.counts) {
            memberStats.update {
                $0.recordsIn += counts.recordsIn
                $0.recordsOut += counts.recordsOut
                $0.dropped += counts.dropped
            }
        }
        guard io.returned > 0 else { return nil }
        return RecordBatch(taking: &out, records: Int(io.returned), validated: true)
    }
}
