import CLuaShim
import LuaBridge

/// Runs a batch of records through a script function with the C loop, applying the node's
/// `on_error` policy and turning failures into errors that name the record.
final class LuaRecordLoop {
    let spec: NodeSpec
    let lua: LuaState
    let stats: NodeStats
    /// Records seen by this node so far (for "record N" in messages).
    private(set) var seen = 0
    /// How a record that cannot be written is described (sinks name their format).
    var encodeFailure = "run() returned a value that cannot be written as JSON"

    init(spec: NodeSpec, lua: LuaState, stats: NodeStats) {
        self.spec = spec
        self.lua = lua
        self.stats = stats
    }

    convenience init(node: LuaScriptNode, stats: NodeStats) {
        self.init(spec: node.spec, lua: node.lua, stats: stats)
    }

    /// The result of one batch: records written to `out`.
    struct Outcome {
        var records = 0
        var produced = 0
        var dropped = 0
    }

    /// Feeds every record of `batch` to `fn`. `mode` picks transform (results to `out`), sink
    /// (results ignored) or raw text (string results written as they are).
    func run(_ batch: RecordBatch, fn: LuaRef, isSink: Bool, rawText: Bool = false,
             out: UnsafeMutablePointer<luaflow_buf>?) throws -> Outcome {
        try run(batch, out: out, configure: { $0.raw_text = rawText ? 1 : 0 }) {
            try self.lua.runBatch(fn, ignoringResults: isSink, io: &$0)
        }
    }

    /// Runs `step` (one of LuaBridge's batch calls) over `batch` until every record is done,
    /// resuming after a failed record when the policy is `skip`.
    func run(_ batch: RecordBatch, out: UnsafeMutablePointer<luaflow_buf>?,
             configure: (inout luaflow_batch_io) -> Void = { _ in },
             step: (inout luaflow_batch_io) throws -> Void) throws -> Outcome {
        var io = luaflow_batch_io()
        io.`in` = batch.pointer
        io.in_len = batch.length
        io.out = out
        io.lazy = spec.options.lazyRecords ? 1 : 0
        configure(&io)
        let emittedBefore = lua.emittedRecords
        var outcome = Outcome()
        var rejected = 0
        defer { seen += Int(io.records) }
        while true {
            do {
                try step(&io)
                break
            } catch let error as LuaError {
                if try fail(error, batch: batch, io: io, recordNumber: seen + Int(io.records)) { rejected += 1 }
            }
            if let out { out.pointee.len = io.record_out_start }
            io.pos = io.record_start + io.record_len
        }
        outcome.records = Int(io.records) - rejected
        outcome.dropped = Int(io.dropped)
        outcome.produced = Int(io.returned) + lua.emittedRecords - emittedBefore
        return outcome
    }

    /// Checks that every record of a raw batch is valid JSON and returns the valid ones (bad ones
    /// fail the run, or are skipped under `on_error = "skip"`).
    func validated(_ batch: RecordBatch) throws -> RecordBatch {
        if batch.validated { return batch }
        var out = luaflow_buf()
        luaflow_buf_init(&out)
        defer { luaflow_buf_free(&out) }
        let outcome = try run(batch, out: &out) { [lua] io in try lua.validateBatch(&io) }
        return RecordBatch(taking: &out, records: outcome.produced, validated: true, origin: batch.origin)
    }

    /// Applies `on_error` to a failure (with the record's JSON text when known).
    func handle(_ failure: PipelineError, record: [UInt8]? = nil) throws {
        try ErrorPolicy.apply(failure, spec: spec, stats: stats, record: record)
    }

    /// Handles a record that failed: a bad input line falls under the reading node's policy and
    /// counters (returns true: it never was this node's input), anything else under this node's.
    @discardableResult
    func fail(_ error: LuaError, batch: RecordBatch, io: luaflow_batch_io, recordNumber: Int) throws -> Bool {
        let failure = recordError(error, batch: batch, io: io, recordNumber: recordNumber)
        let record = batch.bytes.map { Array(UnsafeRawBufferPointer(start: $0 + io.record_start, count: io.record_len)) }
        if io.failedPhase == .decode, let origin = batch.origin {
            try ErrorPolicy.apply(failure, policy: origin.onError, node: origin.node, stats: origin.stats, record: record)
            origin.stats.update { $0.recordsOut -= 1 } // the source did not produce it after all
            return true
        }
        try handle(failure, record: record)
        return false
    }

    /// Describes a failure on one record: where the script failed, which record, and its text.
    func recordError(_ error: LuaError, batch: RecordBatch, io: luaflow_batch_io,
                     recordNumber: Int) -> PipelineError {
        let excerpt = batch.excerpt(at: io.record_start, length: io.record_len)
        let location = batch.fileLocation(ofRecord: Int(io.records) - 1)
        let which = "record \(recordNumber)" + (location.map { " (\($0))" } ?? "")
        switch io.failedPhase {
        case .decode:
            return PipelineError(.runtime, node: batch.origin?.node ?? spec.name, phase: "read",
                                 "\(location ?? which): \(error.message)", details: ["line: \(excerpt)"])
        case .encode where error.kind == .runtime: // a kill or the memory limit is no encoding problem
            return PipelineError(.runtime, node: spec.name, phase: "run",
                                 "\(encodeFailure): \(error.message)",
                                 details: ["\(which): \(excerpt)"])
        default:
            return PipelineError(spec, phase: "run", lua: error, details: ["\(which): \(excerpt)"])
        }
    }
}
