/// What a stage thread drives. `open` runs on the node's own thread before any record.
protocol NodeRuntime: AnyObject {
    var stats: NodeStats { get }
    func open() throws
    /// Records how long the stage ran (wall time of its thread).
    func recordTime(_ seconds: Double)
}

extension NodeRuntime {
    func recordTime(_ seconds: Double) {
        stats.update { $0.seconds = max($0.seconds, seconds) }
    }
}

/// Produces batches until it returns nil.
protocol SourceRuntime: NodeRuntime {
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
protocol TransformRuntime: NodeRuntime {
    func process(_ batch: RecordBatch) throws -> RecordBatch?
    func finish() throws -> RecordBatch?
    /// Whether records may wait inside until `finish` (a `finalize()` hook): a checkpoint passing
    /// such a node would not cover them, so its sources commit only at the end of the run.
    var holdsRecords: Bool { get }
}

/// Consumes batches. `finish` runs when its inputs are done and makes the output durable;
/// `commit` publishes it once every node of the run succeeded; `abort` leaves the previous
/// output intact.
protocol SinkRuntime: NodeRuntime {
    func consume(_ batch: RecordBatch) throws
    func finish() throws
    func commit() throws
    /// Makes everything consumed so far durable (flush, fsync, a pending `write` batch) and
    /// returns what a resumed run needs (nil when nothing: the sink simply starts again).
    func checkpoint() throws -> SinkState?
    /// Called once before `open`: `state` is what the last checkpoint of an unfinished run
    /// committed (nil: start afresh), `run` names the logical run (the same across its resumes).
    func resume(from state: SinkState?, run: String) throws
    /// Drops the output; with `keepingProgress`, what a committed checkpoint covers stays for the
    /// next run to resume.
    func abort(keepingProgress: Bool)
}

extension SinkRuntime {
    func commit() throws {}
    func abort(keepingProgress: Bool) {}
    func checkpoint() throws -> SinkState? { nil }
    func resume(from state: SinkState?, run: String) throws {}
}
