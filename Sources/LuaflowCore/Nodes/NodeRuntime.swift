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
}

/// Turns each input batch into an output batch (nil when every record was dropped); `finish`
/// flushes what `finalize()` returns once the inputs are done.
protocol TransformRuntime: NodeRuntime {
    func process(_ batch: RecordBatch) throws -> RecordBatch?
    func finish() throws -> RecordBatch?
}

/// Consumes batches. `finish` runs when its inputs are done and makes the output durable;
/// `commit` publishes it once every node of the run succeeded; `abort` leaves the previous
/// output intact.
protocol SinkRuntime: NodeRuntime {
    func consume(_ batch: RecordBatch) throws
    func finish() throws
    func commit() throws
    func abort()
}

extension SinkRuntime {
    func commit() throws {}
    func abort() {}
}
