/// What a stage thread drives. `open` runs on the node's own thread before any record.
public protocol NodeRuntime: AnyObject {
    var stats: NodeStats { get }
    func open() throws
    /// Records how long the stage ran (wall time of its thread).
    func recordTime(_ seconds: Double)
    /// Copies resource counters (Lua memory and instructions, bytes written) into `stats`; called
    /// on the node's thread after each batch.
    func sampleResources()
    /// `luaflow check` beyond the config: reach the destination or origin (connect, check
    /// privileges) and say what was found ("PostgreSQL 15.4"); throws a `PipelineError` naming the
    /// problem. Runs on a thread of its own, without `open`.
    func check() throws -> [String]
}

extension NodeRuntime {
    public func recordTime(_ seconds: Double) {
        stats.update { $0.seconds = max($0.seconds, seconds) }
    }

    public func sampleResources() {}

    public func check() throws -> [String] { [] }
}

/// Produces batches until it returns nil.
public protocol SourceRuntime: NodeRuntime {
    func next() throws -> RecordBatch?
    /// The stream this source reads (`config.stream`, or "" for a source with one stream).
    var stream: String { get }
    /// Sets where to start from committed state; called before `open`.
    func start(from start: SourceStart) throws
    /// Where the source is after the batches returned so far (what a checkpoint records).
    var position: SourcePosition { get throws }
    /// Whether `checkpoint_every` counts pages (`get()` sources) rather than records.
    var countsPages: Bool { get }
}

/// Turns each input batch into an output batch (nil when every record was dropped); `finish`
/// flushes what `finalize()` returns once the inputs are done.
public protocol TransformRuntime: NodeRuntime {
    func process(_ batch: RecordBatch) throws -> RecordBatch?
    func finish() throws -> RecordBatch?
    /// Whether records may wait inside until `finish` (a `finalize()` hook): a checkpoint passing
    /// such a node would not cover them, so its sources commit only at the end of the run.
    var holdsRecords: Bool { get }
}

/// The contract every sink keeps, built-in or Lua, whatever its destination:
/// `resume` with the token of the last committed checkpoint (reconcile the destination with it)
/// → `open` → `consume` batches → at each checkpoint `checkpoint()` makes everything consumed so
/// far durable and returns a token, which the engine commits in the state store together with the
/// sources' positions, then tells the sink (`committed`) → `finish` once the inputs are done →
/// `publish` when every node succeeded, or `abort` on failure or interrupt.
public protocol SinkRuntime: NodeRuntime {
    /// Called once before `open`: `token` is what the last committed checkpoint of an unfinished
    /// run stored (nil: start afresh), `run` names the logical run (the same across its resumes).
    func resume(from token: SinkToken?, run: String) throws
    func consume(_ batch: RecordBatch) throws
    /// Makes everything consumed so far durable and returns what a resumed run needs to continue
    /// from here (nil: nothing, the sink simply starts again).
    func checkpoint() throws -> SinkToken?
    /// The state store committed `token` (the newest this sink returned that a checkpoint covers).
    /// Runs on the sink's thread.
    func committed(_ token: SinkToken) throws
    /// The inputs are done: makes the rest durable and returns the token `publish` needs, which
    /// the engine commits as "publishing" before it calls `publish`.
    func finish() throws -> SinkToken?
    /// Makes the output visible (rename a file, swap a table); the run succeeded.
    func publish() throws
    /// A crash cut `publish` short after the final commit: finish it from the stored token.
    /// Called before `open`, at most once; must be idempotent.
    func completePublish(_ token: SinkToken) throws
    /// Drops the output; with `keepingProgress`, what a committed checkpoint covers stays for the
    /// next run to resume.
    func abort(keepingProgress: Bool)
    /// Whether checkpoints may wait while the sink is behind (more batches already queued): for
    /// sinks whose checkpoint is costly (an fsync). ``pendingToken()`` then gives what
    /// ``checkpoint()`` would return, without making anything durable yet, and the next
    /// ``checkpoint()`` makes every waiting one durable at once. Default false.
    var defersCheckpoints: Bool { get }
    /// What ``checkpoint()`` would return now, before it is durable (see ``defersCheckpoints``).
    func pendingToken() throws -> SinkToken?
}

extension SinkRuntime {
    public func resume(from token: SinkToken?, run: String) throws {}
    public func checkpoint() throws -> SinkToken? { nil }
    public func committed(_ token: SinkToken) throws {}
    public func publish() throws {}
    public func completePublish(_ token: SinkToken) throws {}
    public func abort(keepingProgress: Bool) {}
    public var defersCheckpoints: Bool { false }
    public func pendingToken() throws -> SinkToken? { try checkpoint() }
}
