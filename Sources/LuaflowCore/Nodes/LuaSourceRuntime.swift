import CLuaShim
import Foundation
import LuaBridge

/// A source script: `run()` returning the next item (nil when done), or `get(pagination, state)`
/// returning `records, next` (nil or `{}` next when done). Honours `max_items`, `lifetime` and
/// `batch_size`; a streaming `run()` source hands on what it has at least every 200 ms.
///
/// Failures never end a source as if its data were exhausted: a failed `get()` is called again
/// only with the same pagination, and a failed `run()` only when the script declares
/// `resumable = true` (calling it again continues where it was).
///
/// A `get()` source may declare `partitions()`: its partitions are read one after another, each
/// with its own pagination, cursor and checkpoint (see ``PartitionWalk``).
final class LuaSourceRuntime: SourceRuntime {
    let node: LuaScriptNode
    let stats: NodeStats
    private let runFunction: LuaRef?
    private let getFunction: LuaRef?
    private let batchSize: Int
    let maxItems: Int?
    private let lifetime: Double?
    private var produced = 0
    private var started = DispatchTime.now()
    var done = false
    /// What the next `get()` call receives.
    var pagination: LuaRef?
    var state: LuaRef?
    var lastPagination: [UInt8]?
    /// Every pagination `get()` returned in this run (in this partition), so a cursor cycle is
    /// caught on its first repeat.
    var seenPaginations = PaginationDigests()
    private var pages = 0
    private var consecutiveErrors = 0
    /// Retries of the current call after connection or transient errors.
    private var retriedAttempts = 0
    private static let maxAttempts = 3
    /// `resumable = true`: a `run()` that raised may be called again.
    private let resumable: Bool
    let cursor: CursorTracker?
    private(set) var startPoint = SourceStart()
    let stream: String
    /// The script's `partitions()`, when it declares one.
    let partitionsFunction: LuaRef?
    /// The declared partitions and how far this run got in each (nil without `partitions()`).
    var walk: PartitionWalk?
    /// `partitions_ahead`: how many partitions after the current one `state.upcoming` lists.
    var partitionsAhead = 0
    /// The partition whose pagination, state and cursor the Lua side holds now.
    var activePartition: Int?
    /// `--backfill`: the range this run reads (the script sees it as `state.backfill`).
    let backfill: BackfillRange?

    init(node: LuaScriptNode, stats: NodeStats, limit: Int?, backfill: BackfillRange? = nil) throws {
        self.node = node
        self.stats = stats
        let get = node.function("get")
        let run = get == nil ? try node.required("run", signature: "run() (or get(pagination, state))") : nil
        partitionsFunction = node.function("partitions")
        if partitionsFunction != nil && get == nil {
            throw PipelineError(.config, node: node.spec.name, phase: "load",
                                "\(node.displayPath) defines partitions() without get(pagination, state); partitions are read with get()")
        }
        let tracker = try CursorTracker(node: node, function: (get ?? run)!, isGet: get != nil)
        cursor = tracker
        getFunction = get.map { tracker?.function ?? $0 }
        runFunction = run.map { tracker?.function ?? $0 }
        var stream = ""
        if case .string(let name) = node.lua.field(node.lua.fieldRef(node.env, "config"), "stream") { stream = name }
        if let backfill {
            guard node.lua.field(node.env, "backfill") == .boolean(true) else {
                throw PipelineError(.config, node: node.spec.name, phase: "load",
                                    "--backfill: \(node.spec.what) does not read ranges (a source declares `backfill = true` and reads state.backfill in get(); source.http does with incremental)")
            }
            stream = backfill.stream(of: stream)
        }
        self.stream = stream
        self.backfill = backfill
        resumable = node.lua.field(node.env, "resumable") == .boolean(true)
        batchSize = max(1, node.spec.options.batchSize ?? 1000)
        maxItems = [node.spec.options.maxItems, limit].compactMap { $0 }.min()
        lifetime = node.spec.options.lifetime
    }

    func start(from start: SourceStart) throws {
        startPoint = start
        done = start.exhausted
    }

    func sampleResources() { stats.sample(node.lua) }

    func open() throws {
        node.lua.claim()
        started = DispatchTime.now()
        do {
            pagination = try startPoint.pagination.map { try node.lua.decodeJSON(Array($0.utf8)) } ?? node.lua.newTable()
            lastPagination = startPoint.pagination.map { Array($0.utf8) }
            if let lastPagination { seenPaginations.insert(lastPagination) }
            var fields: [String] = []
            if let c = startPoint.stateCursor { fields.append("\"cursor\":\(c)") }
            if let r = startPoint.lastRun { fields.append("\"last_run\":\"\(r)\"") }
            if let backfill { fields.append("\"backfill\":\(backfill.stateJSON)") }
            state = try node.lua.decodeJSON(Array("{\(fields.joined(separator: ","))}".utf8))
            if let committed = startPoint.committedCursor { try cursor?.start(at: committed) }
            // run() sources (and init()) read the same table as the global `state`.
            if node.lua.field(node.env, "state") == .nil { node.lua.setField(node.env, "state", ref: state!) }
        } catch let error as LuaError {
            throw PipelineError(node.spec, phase: "state", lua: error)
        }
        try node.callHook("init")
        try openPartitions()
        recordExpectedCount()
    }

    var countsPages: Bool { getFunction != nil }

    var position: SourcePosition {
        get throws {
            let max: String?
            do { max = try cursor?.maximum() } catch let error as LuaError {
                throw PipelineError(node.spec, phase: "state", lua: error)
            }
            if let walk {
                return SourcePosition(produced: produced, exhausted: done,
                                      partitions: walk.snapshot(activeCursor: max, active: activePartition))
            }
            return SourcePosition(pagination: done ? nil : lastPagination.map { String(decoding: $0, as: UTF8.self) },
                                  produced: produced, exhausted: done, cursor: max)
        }
    }

    private var remaining: Int? { maxItems.map { $0 - produced } }

    private var lifetimeOver: Bool {
        guard let lifetime else { return false }
        return Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9 >= lifetime
    }

    func next() throws -> RecordBatch? {
        while !done {
            if let remaining, remaining <= 0 { break }
            if lifetimeOver { break }
            var out = luaflow_buf()
            luaflow_buf_init(&out)
            defer { luaflow_buf_free(&out) }
            let partition = walk?.current
            var records = getFunction != nil ? try page(into: &out) : try pull(into: &out)
            if let remaining, records > remaining {
                truncate(&out, toRecords: remaining)
                records = remaining
                done = true
            }
            if let partition { walk?.add(records, to: partition) }
            produced += records
            stats.update { $0.recordsOut += records }
            if records > 0 { return RecordBatch(taking: &out, records: records, validated: true) }
        }
        done = true
        return nil
    }

    private func pull(into out: inout luaflow_buf) throws -> Int {
        var io = luaflow_batch_io()
        io.max_records = Int64(min(batchSize, remaining ?? batchSize))
        io.deadline_ns = Int64(DispatchTime.now().uptimeNanoseconds) + 200_000_000
        let emittedBefore = node.lua.emittedRecords
        let failuresBefore = stats.snapshot.requestFailures
        var failure: LuaError?
        try withUnsafeMutablePointer(to: &out) { ptr in
            io.out = ptr
            do { try node.lua.pullSource(runFunction!, io: &io) } catch let error as LuaError { failure = error }
        }
        if let failure {
            try sourceFailed(failure, function: "run()", producedNow: Int(io.returned),
                             afterRequestFailure: stats.snapshot.requestFailures != failuresBefore)
            out.len = io.record_out_start
        } else {
            consecutiveErrors = 0
            retriedAttempts = 0
        }
        if io.done != 0 { done = true }
        return Int(io.returned) + node.lua.emittedRecords - emittedBefore
    }

    private func page(into out: inout luaflow_buf) throws -> Int {
        if let walk, activePartition != walk.current { try enterPartition(walk.current) }
        var io = luaflow_batch_io()
        var aux = luaflow_buf()
        luaflow_buf_init(&aux)
        defer { luaflow_buf_free(&aux) }
        let emittedBefore = node.lua.emittedRecords
        let failuresBefore = stats.snapshot.requestFailures
        var nextRef: LuaRef?
        var failure: LuaError?
        try withUnsafeMutablePointer(to: &out) { outPtr in
            try withUnsafeMutablePointer(to: &aux) { auxPtr in
                io.out = outPtr
                io.aux = auxPtr
                do {
                    nextRef = try node.lua.getPage(getFunction!, pagination: pagination!, state: state!, io: &io)
                } catch let error as LuaError {
                    failure = error
                }
            }
        }
        pages += 1
        if let failure {
            out.len = 0
            try sourceFailed(failure, function: "get()", producedNow: 0,
                             afterRequestFailure: stats.snapshot.requestFailures != failuresBefore)
            return 0
        }
        consecutiveErrors = 0
        retriedAttempts = 0
        if let nextRef {
            let next = Array(UnsafeRawBufferPointer(start: aux.data, count: aux.len))
            if let firstSeen = seenPaginations.insert(next, page: pages) {
                node.lua.release(nextRef)
                let text = String(decoding: next, as: UTF8.self)
                let what = firstSeen == pages - 1
                    ? "get() returned the same pagination twice (\(text)) after page \(pages)"
                    : "get() returned the pagination \(text) after page \(pages), as it did after page \(firstSeen): the pages form a cycle"
                throw PipelineError(.runtime, node: node.spec.name, phase: "get", "\(what); stopping so the source does not loop forever")
            }
            lastPagination = next
            walk?.advance(to: String(decoding: next, as: UTF8.self))
            if let old = pagination { node.lua.release(old) }
            pagination = nextRef
        } else {
            try partitionEnded()
        }
        return Int(io.returned) + node.lua.emittedRecords - emittedBefore
    }

    /// A source error. Auth errors stop the run. An error the script raised with
    /// `errors.transient(...)` or `errors.connection(...)` is retried: the same call again, up to 3
    /// attempts with backoff (`get()` with the same pagination). A call that failed after an HTTP
    /// request failed is not: the HTTP layer owns request retries and has used them up. A
    /// non-resumable `run()` is never called again; a resumable one falls under `on_error`.
    private func sourceFailed(_ error: LuaError, function: String, producedNow: Int, afterRequestFailure: Bool) throws {
        let count = produced + producedNow
        let errorClass = ErrorClass(message: error.message)
        let callableAgain = getFunction != nil || resumable
        var details = ["after \(count) record\(count == 1 ? "" : "s")"]
        if !callableAgain && node.spec.options.onError != .fail && errorClass != .auth {
            details.append("run() is not called again after an error (declare `resumable = true` if calling it again continues where it stopped)")
        }
        let failure = PipelineError(node.spec, phase: function.replacingOccurrences(of: "()", with: ""), lua: error,
                                    details: details)
        if callableAgain && errorClass?.isRetryable == true && !afterRequestFailure && retriedAttempts < Self.maxAttempts - 1 {
            retriedAttempts += 1
            let delay = min(10, 0.2 * Double(1 << (retriedAttempts - 1))) * Double.random(in: 0.5...1)
            PipelineLog.logger.warning("\(function) failed (attempt \(retriedAttempts) of \(Self.maxAttempts)), calling it again in \(String(format: "%.1f", delay))s: \(Redactor.shared.redact(error.message))",
                                       metadata: ["node": "\(node.spec.name)"])
            stats.update { $0.retries += 1 }
            Interrupt.sleep(seconds: delay)
            return
        }
        retriedAttempts = 0
        // A page cannot be skipped without losing it, and a run() that is called again after an
        // error may have dropped what it was reading: both end the source.
        guard getFunction == nil, resumable, errorClass != .auth else { throw failure }
        consecutiveErrors += 1
        if consecutiveErrors >= 100 {
            throw PipelineError(.runtime, node: node.spec.name, phase: "run",
                                "\(function) failed 100 times in a row; last error: \(error.message)")
        }
        try LuaRecordLoop(node: node, stats: stats).handle(failure)
    }

    private func truncate(_ out: inout luaflow_buf, toRecords n: Int) {
        if let length = RecordLines.length(ofFirst: n, in: out.data, count: out.len) { out.len = length }
    }
}
