import CLua
import CLuaShim
import Foundation
import LuaBridge

/// Adjacent transforms fused into one stage: the scripts share one Lua state (each in its own
/// environment) and a record goes from one run() to the next as a Lua value, without being
/// encoded or crossing a queue. Each member keeps its own counters, errors and on_error policy.
final class FusedTransformRuntime: TransformRuntime {
    private let members: [LuaScriptNode]
    private let memberStats: [NodeStats]
    private let loops: [LuaRecordLoop]
    private let runFunctions: [Int32]
    /// Per member: 1 when its on_error is "skip".
    private let skips: [Int32]
    private let lua: LuaState
    private var seen = 0

    var stats: NodeStats { memberStats[0] }
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
        runFunctions = try members.map { try $0.required("run", signature: "run(item)").id }
        skips = members.map { $0.spec.options.onError == .skip ? 1 : 0 }
        holdsRecords = members.contains { $0.defines("finalize") }
    }

    func open() throws {
        lua.claim()
        for member in members { try member.callHook("init") }
    }

    func recordTime(_ seconds: Double) {
        for s in memberStats { s.update { $0.seconds = max($0.seconds, seconds) } }
    }

    func process(_ batch: RecordBatch) throws -> RecordBatch? {
        var io = luaflow_batch_io()
        io.`in` = batch.pointer
        io.in_len = batch.length
        io.lazy = members[0].spec.options.lazyRecords ? 1 : 0
        let batchOut = try withChain(&io) { chain, io in
            while true {
                let status = luaflow_run_chain_batch(lua.handle, &chain, &io)
                if status == LUA_OK { break }
                try loops[Int(chain.failed_stage)].fail(lua.popError(status: status, kind: .runtime), batch: batch, io: io,
                                                        recordNumber: seen + Int(io.records))
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
        return try withChain(&io) { chain, io in
            for (k, member) in members.enumerated() {
                guard let fn = member.function("finalize") else { continue }
                let status = luaflow_run_chain_finalize(lua.handle, &chain, Int32(k), fn.id, &io)
                if status != LUA_OK {
                    throw PipelineError(members[Int(chain.failed_stage)].spec, phase: "finalize",
                                        lua: lua.popError(status: status, kind: .runtime))
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

    /// Runs `body` with a chain over the members and an output buffer, then adds the per-member
    /// counters to their stats and wraps the output (nil when nothing came out).
    private func withChain(_ io: inout luaflow_batch_io,
                           _ body: (inout luaflow_chain, inout luaflow_batch_io) throws -> Void) throws -> RecordBatch? {
        let n = members.count
        var out = luaflow_buf()
        luaflow_buf_init(&out)
        defer { luaflow_buf_free(&out) }
        var counts = [Int64](repeating: 0, count: 3 * n)
        let skipped = lua.newTable()
        defer { lua.release(skipped) }
        try withUnsafeMutablePointer(to: &out) { outPtr in
            io.out = outPtr
            try runFunctions.withUnsafeBufferPointer { fns in
                try skips.withUnsafeBufferPointer { skip in
                    try counts.withUnsafeMutableBufferPointer { c in
                        var chain = luaflow_chain(fns: fns.baseAddress, n: Int32(n), in: c.baseAddress,
                                                  out: c.baseAddress! + n, dropped: c.baseAddress! + 2 * n,
                                                  failed_stage: 0, skip: skip.baseAddress, skipped_ref: skipped.id)
                        try body(&chain, &io)
                    }
                }
            }
        }
        try reportSkipped(skipped)
        for k in 0..<n {
            memberStats[k].update {
                $0.recordsIn += Int(counts[k])
                $0.recordsOut += Int(counts[n + k])
                $0.dropped += Int(counts[2 * n + k])
            }
        }
        guard io.returned > 0 else { return nil }
        return RecordBatch(taking: &out, records: Int(io.returned), validated: true)
    }
}
