import Foundation
import CLuaShim
import LuaBridge

/// A sink script: `run(item)` per record, or `write(batch, info)` with records batched by the host
/// (`batch_size`, default 100); optional `init(token)`; `finalize()` once every input is done.
/// At a checkpoint the script's `flush()` makes what it received durable and may return a token
/// (any JSON value); once the state store committed it, `commit(token)` runs; a resumed run's
/// `init(token)` gets the last committed one to reconcile its destination with.
/// `info.position` is the batch's first record's number in the run's input of the sink, and
/// `info.key` an idempotency key derived from the pipeline, the node, the run and that position:
/// a batch re-sent after a retry or a resume carries the same key. `every(seconds, fn)` timers
/// run on the sink's thread between batches and when idle (periodic flushes).
final class LuaSinkRuntime: SinkRuntime, TimerNode {
    let node: LuaScriptNode
    let stats: NodeStats
    private let loop: LuaRecordLoop
    private let runFunction: LuaRef?
    private let writeFunction: LuaRef?
    private let batchSize: Int
    /// Records waiting for a full `write` batch.
    private var pending = luaflow_buf()
    private var pendingRecords = 0
    /// Records handed to the script so far in this run, counting those its resumed checkpoint covers.
    private var consumed = 0
    private let info: LuaRef
    private var keys: BatchKeys
    /// The JSON the script's `flush()` last returned (or the resumed run's committed one).
    private var scriptToken: [UInt8]?
    /// The final token of a run killed before its `commit(token)` ran: `open` runs it first.
    private var unpublished: SinkToken?

    init(node: LuaScriptNode, stats: NodeStats, pipeline: PipelineSpec) throws {
        self.node = node
        self.stats = stats
        info = node.lua.newTable()
        keys = BatchKeys(pipeline: pipeline.file, node: node.spec.name, run: UUID().uuidString)
        loop = LuaRecordLoop(node: node, stats: stats)
        writeFunction = node.function("write")
        runFunction = writeFunction == nil ? try node.required("run", signature: "run(item) (or write(batch))") : nil
        batchSize = max(1, node.spec.options.batchSize ?? 100)
        luaflow_buf_init(&pending)
    }

    deinit { luaflow_buf_free(&pending) }

    func resume(from token: SinkToken?, run: String) throws {
        consumed = token?.records ?? 0
        scriptToken = token?.data.map { Array($0.utf8) }
        keys.run = run
    }

    func sampleResources() { stats.sample(node.lua) }

    var secondsUntilTimer: Double? { node.timers.secondsUntilNext }

    func fireTimers() throws -> RecordBatch? {
        guard let fire = node.timers.fire else { return nil }
        do { _ = try node.lua.call(fire) } catch let error as LuaError {
            throw PipelineError(node.spec, phase: "timer", lua: error)
        }
        return nil
    }

    func open() throws {
        node.lua.claim()
        node.timers.start()
        if let unpublished {
            _ = try node.callHook("commit", json: unpublished.data.map { Array($0.utf8) })
        }
        _ = try node.callHook("init", json: scriptToken)
    }

    func consume(_ batch: RecordBatch) throws {
        if let runFunction {
            let outcome = try loop.run(batch, fn: runFunction, isSink: true, out: nil)
            stats.update { $0.recordsIn += outcome.records }
            consumed += outcome.records
            return
        }
        guard let bytes = batch.bytes, batch.length > 0 else { return }
        if luaflow_buf_append(&pending, bytes, batch.length) != 0 {
            throw PipelineError(.runtime, node: node.spec.name, phase: "write", "out of memory while batching records")
        }
        if pending.len > 0 && pending.data[pending.len - 1] != 0x0A { _ = luaflow_buf_append(&pending, "\n", 1) }
        pendingRecords += batch.records
        if pendingRecords >= batchSize { try flush(all: false) }
    }

    /// Calls write() with full batches (and with the rest when `all`).
    private func flush(all: Bool) throws {
        guard let writeFunction else { return }
        var io = luaflow_batch_io()
        io.`in` = UnsafePointer(pending.data)
        io.in_len = pending.len
        while pendingRecords >= batchSize || (all && pendingRecords > 0) {
            io.max_records = Int64(batchSize)
            io.records = 0
            let batchStart = io.pos
            node.lua.setField(info, "position", .integer(Int64(consumed + 1)))
            node.lua.setField(info, "key", .string(keys.key(position: consumed + 1, records: min(batchSize, pendingRecords))))
            var failure: LuaError?
            do { try node.lua.runWriteBatch(writeFunction, info: info, io: &io) } catch let error as LuaError { failure = error }
            consumed += Int(io.records)
            pendingRecords -= Int(io.records)
            stats.update { $0.recordsIn += Int(io.records) }
            if let failure {
                try batchFailed(failure, records: Int(io.records),
                                text: UnsafeRawBufferPointer(start: pending.data + batchStart, count: io.pos - batchStart))
            }
        }
        // Keep the unconsumed tail for the next batch.
        let rest = pending.len - io.pos
        if rest > 0 && io.pos > 0 { memmove(pending.data, pending.data + io.pos, rest) }
        pending.len = rest
    }

    /// A `write(batch)` that raised: the whole batch fails, is skipped, or goes record by record
    /// to the dead-letter file.
    private func batchFailed(_ error: LuaError, records: Int, text: UnsafeRawBufferPointer) throws {
        let policy = node.spec.options.onError
        let outcome = policy == .fail ? "while writing a batch of \(records) records"
            : "the whole batch of \(records) records was \(policy == .skip ? "skipped" : "dead-lettered")"
        let failure = PipelineError(node.spec, phase: "write", lua: error, details: [outcome])
        guard policy == .deadLetter else {
            try loop.handle(failure)
            stats.update { $0.errors += records - 1 }
            return
        }
        for line in RecordLines(text) where !line.isEmpty {
            try loop.handle(failure, record: Array(text[line]))
        }
    }

    /// A checkpoint: the pending `write` batch goes out, then the script's `flush()` if it has one.
    /// The token records how many records the sink has written, so a resumed run numbers its
    /// batches (and derives their keys) as this one did, and what `flush()` returned.
    func checkpoint() throws -> SinkToken? {
        try flush(all: true)
        if let returned = try node.callHook("flush", json: nil) { scriptToken = returned }
        return token
    }

    func committed(_ token: SinkToken) throws {
        _ = try node.callHook("commit", json: token.data.map { Array($0.utf8) })
    }

    /// The last batch, `finalize()`, then `flush()` as at a checkpoint.
    func finish() throws -> SinkToken? {
        try flush(all: true)
        try node.callHook("finalize")
        return try checkpoint()
    }

    /// The run committed: the script's `commit(token)` gets the final token (on the runner's thread,
    /// the sink's own has ended).
    func publish() throws {
        node.lua.claim()
        try committed(token)
    }

    func completePublish(_ token: SinkToken) throws {
        unpublished = token
    }

    private var token: SinkToken {
        SinkToken(node: node.spec.name, records: consumed, data: scriptToken.map { String(decoding: $0, as: UTF8.self) })
    }
}
