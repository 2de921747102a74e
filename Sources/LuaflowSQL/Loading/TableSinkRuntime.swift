import Foundation
import LuaflowCore

/// `sink.postgres` and `sink.sqlite`: loads records into a table through a ``TableDestination``.
/// Each checkpoint commits one load (its rows, columns added on the way, and its row in
/// `_luaflow_loads`) in one database transaction; the token names the load, so a resumed run
/// removes the loads that the state store never committed and every record lands once.
final class TableSinkRuntime: SinkRuntime {
    let stats: NodeStats
    private let spec: NodeSpec
    private let options: TableLoadOptions
    private let destination: any TableDestination
    private let validator: RecordValidator
    private var shape: TableShape?
    private var plan = BatchPlan()
    private var fields: DeclaredFields
    /// The logical run (the same across its resumes).
    private var run = UUID().uuidString
    /// The load the resumed checkpoint covers (nil: none).
    private var resumedLoad: Int64?
    /// The run keeps state: `resume` named it and says what its committed checkpoint covers.
    private var resuming = false
    /// The last load committed in the destination, and the one open (its transaction under way).
    private var lastLoad: Int64?
    private var openLoad: Int64?
    /// Records in the open load, and in the run's loads so far.
    private var loadRecords = 0
    private var records = 0
    private var connected = false
    private var tableExists = false
    /// The open load's batches, for a destination whose connection can break.
    private let spool: LoadSpool?

    init(_ node: BuiltinNode, options: TableLoadOptions, destination: any TableDestination) throws {
        spec = node.spec
        stats = node.stats
        self.options = options
        fields = DeclaredFields(options)
        self.destination = destination
        try options.checkNames(for: destination.dialect, node: node)
        validator = try RecordValidator(node)
        spool = destination.reconnects ? LoadSpool() : nil
    }

    func resume(from token: SinkToken?, run: String) throws {
        self.run = run
        resuming = true
        guard let token else { return }
        guard let load = LoadToken(json: token.data), load.table == options.loadingTable else {
            throw failure("resume", "the state store's progress of this sink is not a load into \(options.loadingTable); run with --full-refresh to start over")
        }
        resumedLoad = load.load
        lastLoad = load.load
        records = token.records
    }

    func open() throws {
        validator.open()
        try connect()
        try guarded("open") { try destination.prepare() }
        try guarded("resume") {
            // A resumed run drops what the interrupted one loaded after its last committed
            // checkpoint (the sources send those records again); a fresh replace starts empty.
            if resuming {
                try destination.undoLoads(run: run, table: options.loadingTable, after: resumedLoad,
                                          deletingRows: options.disposition != .merge)
            }
            if options.disposition == .replace, resumedLoad == nil { try destination.drop(options.shadowTable) }
        }
        let existing = try guarded("open") { try destination.columns(of: options.loadingTable) }
        if let existing {
            for c in options.declared {
                if let found = existing.first(where: { $0.name == c.name }), found.type != c.type {
                    throw PipelineError(.config, node: spec.name, phase: "open",
                                        "column \(c.name) of \(options.table) is \(found.type.rawValue), the sink declares \(c.type.rawValue)")
                }
            }
        }
        shape = TableShape(existing: existing, declared: options.declared, contract: options.contract, inferTimestamps: options.inferTimestamps,
                           dialect: destination.dialect)
        tableExists = existing != nil
    }

    func check() throws -> [String] {
        try connect()
        defer { close() }
        return try guarded("check") { try destination.check(table: options.table) }
    }

    func consume(_ input: RecordBatch) throws {
        let batch = try validator.validated(input)
        stats.update { $0.recordsIn += batch.records }
        let lines = batch.recordRanges
        guard !lines.isEmpty else { return }
        let bytes = batch.jsonLines
        try plan(bytes, lines: lines, firstRecord: stats.snapshot.recordsIn - lines.count + 1)
        try guarded("write") {
            try spool?.append(bytes)
            do { try write(bytes) } catch where destination.isConnectionLost(error) {
                try recover(after: error)
            }
        }
        let loaded = plan.records.count { $0.rejection == nil }
        loadRecords += loaded
        records += loaded
    }

    /// Plans the batch (a freeze conflict fails the run) and hands the records it rejects to
    /// `on_error`; `firstRecord` numbers the batch's first record in the run's input.
    private func plan(_ bytes: UnsafeRawBufferPointer, lines: [Range<Int>], firstRecord: Int) throws {
        do { try shape!.plan(bytes, lines: lines, into: &plan) } catch let conflict as TableShape.Conflict {
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[lines[conflict.record]]).prefix(200), as: UTF8.self)
            throw failure("write", "field \(conflict.field) is \(conflict.value.rawValue) in a record, its column in \(options.table) is \(conflict.column.rawValue) (schema_contract = \"freeze\")",
                          details: ["record \(firstRecord + conflict.record): \(text)"])
        }
        if let problem = fields.firstBatchProblem(records: lines.count, present: { shape!.fieldNames(plan, bytes) }) {
            throw failure("write", problem)
        }
        fields.rejectRecordsWithoutKey(&plan, shape: shape!)
        for (r, record) in plan.records.enumerated() {
            guard let why = record.rejection else { continue }
            let text = Array(UnsafeRawBufferPointer(rebasing: bytes[record.text]))
            try validator.reject(failure("write", "cannot load the record into \(options.table): \(why)",
                                         details: ["record \(firstRecord + r): \(String(decoding: text.prefix(200), as: UTF8.self))"]),
                                 record: text)
        }
    }

    /// Writes the planned batch into the open load (opened first when needed).
    private func write(_ bytes: UnsafeRawBufferPointer) throws {
        let load = try beginLoadIfNeeded()
        try createPendingColumns()
        try destination.write(plan, bytes, columns: shape!.columns, into: options.loadingTable, load: load)
    }

    /// The connection broke in the middle of the open load, which the database rolled back with
    /// it: reconnects (the session backs off) and sends the load's batches again, up to 3 times.
    private func recover(after error: Error) throws {
        var lost = error
        for attempt in 1...3 {
            PipelineLog.logger.warning("lost the connection during a load (\(lost)); reconnecting and loading its \(loadRecords) records again (attempt \(attempt) of 3)",
                                       metadata: ["node": "\(spec.name)"])
            stats.update { $0.retries += 1 }
            do { return try reconnectAndReplay() } catch where destination.isConnectionLost(error) { lost = error }
        }
        throw failure("write", "\(lost)")
    }

    private func reconnectAndReplay() throws {
        close()
        try connect()
        guard let load = openLoad else { return }
        openLoad = nil
        if try destination.loadCommitted(load) {
            lastLoad = load // its COMMIT went through before the connection broke
            try spool?.clear()
            loadRecords = 0
            return
        }
        try destination.discard(load, in: options.loadingTable)
        let existing = try destination.columns(of: options.loadingTable)
        tableExists = existing != nil
        shape!.markPending(from: existing?.count ?? 0)
        try spool?.replay { bytes in
            try shape!.plan(bytes, lines: Self.lines(bytes), into: &plan)
            try write(bytes)
        }
    }

    /// The non-blank lines of a spooled batch.
    private static func lines(_ bytes: UnsafeRawBufferPointer) -> [Range<Int>] {
        RecordLines(bytes).filter { !$0.isEmpty }
    }

    private func beginLoadIfNeeded() throws -> Int64 {
        if let openLoad { return openLoad }
        let load = try destination.beginLoad()
        openLoad = load
        return load
    }

    private func createPendingColumns() throws {
        guard let shape, !shape.pending.isEmpty || !tableExists else { return }
        let added = Array(shape.columns[shape.pending])
        if tableExists {
            try destination.add(added, to: options.loadingTable)
        } else {
            try destination.create(options.loadingTable, columns: shape.columns, primaryKey: options.primaryKey)
        }
        tableExists = true
        self.shape!.markCreated()
    }

    /// Commits the open load: its rows and its `_luaflow_loads` row in one transaction (sent
    /// again on a new connection when the old one broke).
    private func commitLoad() throws {
        try guarded("write") {
            while let load = openLoad {
                do {
                    try destination.commitLoad(load, run: run, table: options.loadingTable, records: loadRecords)
                    openLoad = nil
                    lastLoad = load
                } catch where destination.isConnectionLost(error) {
                    try recover(after: error)
                }
            }
            try spool?.clear()
        }
        loadRecords = 0
    }

    func checkpoint() throws -> SinkToken? {
        try commitLoad()
        return token(final: false)
    }

    func finish() throws -> SinkToken? {
        if !tableExists {
            try guarded("write") {
                _ = try beginLoadIfNeeded()
                try createPendingColumns()
            }
        }
        try commitLoad()
        return token(final: true)
    }

    func publish() throws {
        defer { close() }
        if options.disposition == .replace {
            try guarded("publish") { try destination.swap(options.shadowTable, into: options.table) }
        }
    }

    func completePublish(_ token: SinkToken) throws {
        guard options.disposition == .replace, let load = LoadToken(json: token.data), load.final else { return }
        try connect()
        defer { close() }
        try guarded("publish") { try destination.swap(options.shadowTable, into: options.table) }
    }

    /// Rolls back the open load. Without `keepingProgress` (no checkpoint of the run was
    /// committed) the run's loads go too; otherwise the next run's `resume` removes what its
    /// token does not cover (only the state store knows for sure what it committed last).
    func abort(keepingProgress: Bool) {
        guard connected else { return }
        destination.rollback()
        if !keepingProgress {
            do {
                try destination.undoLoads(run: run, table: options.loadingTable, after: nil, deletingRows: options.disposition != .merge)
                if options.disposition == .replace { try destination.drop(options.shadowTable) }
            } catch {
                PipelineLog.logger.warning("could not remove the run's loads (the next run will): \(error)", metadata: ["node": "\(spec.name)"])
            }
        }
        close()
    }

    private func token(final: Bool) -> SinkToken {
        SinkToken(node: spec.name, records: records, data: LoadToken(load: lastLoad, table: options.loadingTable, final: final).json)
    }

    private func connect() throws {
        guard !connected else { return }
        try guarded("connect") { try destination.connect() }
        connected = true
    }

    private func close() {
        guard connected else { return }
        destination.close()
        connected = false
    }

    private func failure(_ phase: String, _ message: String, details: [String] = []) -> PipelineError {
        PipelineError(.runtime, node: spec.name, phase: phase, message, details: details)
    }

    /// Runs `body`, turning a database error into the node's error.
    private func guarded<T>(_ phase: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as PipelineError { throw error } catch {
            throw failure(phase, "\(error)")
        }
    }
}
