import Foundation

/// Decides when a source sends a checkpoint marker (every `checkpoint_every` pages for `get()`
/// sources, records otherwise; also once `checkpoint_interval` passed since the last one and
/// records arrived; after every batch of a ``PushSource``) and builds the state the marker carries.
final class SourceCheckpointer {
    let source: Int
    let node: String
    let start: SourceStart
    /// Records a resumed `run()` or file source must drop before sending any.
    let skip: Int
    /// Committed records of earlier runs (and of the committed part of a resumed one).
    private let baseRecords: Int
    /// False when records may wait in a transform's finalize: then only the end of the run commits.
    private let enabled: Bool
    private let every: Int?
    /// `checkpoint_interval`, in nanoseconds.
    private let interval: UInt64?
    private var sequence = 0
    private var sinceLast = 0
    /// Records sent since the last marker (a marker that covers nothing new is not due by time).
    private var recordsSinceLast = 0
    private var lastMarker = DispatchTime.now().uptimeNanoseconds
    /// The state to commit if the whole run succeeds, taken on the source's thread when it ended.
    private(set) var finalState: StreamState?

    init(source: Int, node: String, stored: StreamState?, resuming: Bool, every: Int?, interval: Double? = nil, enabled: Bool) {
        self.source = source
        self.node = node
        start = resuming && stored != nil ? .resuming(stored!) : .fresh(after: stored)
        skip = start.skip
        baseRecords = (stored?.records ?? 0) - start.skip
        self.every = every
        self.interval = interval.map { UInt64($0 * 1e9) }
        self.enabled = enabled
    }

    /// For sources that count records: how many more records the next checkpoint is due after
    /// (a batch larger than that is split there, so checkpoints fall every `checkpoint_every` records).
    func recordsUntilDue(_ runtime: SourceRuntime) -> Int? {
        guard enabled, !runtime.countsPages else { return nil }
        return (every ?? 100_000) - sinceLast
    }

    /// A marker after a batch of `records`, when one is due. `heldBack`: records the source
    /// returned that are not sent yet (the rest of a split batch), which the marker must not cover.
    func afterBatch(_ runtime: SourceRuntime, records: Int, heldBack: Int = 0) throws -> RecordBatch? {
        sinceLast += runtime.countsPages ? 1 : records
        recordsSinceLast += records
        let now = DispatchTime.now().uptimeNanoseconds
        let due = every ?? (runtime.countsPages ? 1 : 100_000)
        let byTime = recordsSinceLast > 0 && ((runtime as? PushSource)?.checkpointsEachBatch == true || interval.map { now - lastMarker >= $0 } == true)
        guard sinceLast >= due || byTime, enabled else { return nil }
        sinceLast = 0
        recordsSinceLast = 0
        lastMarker = now
        sequence += 1
        var state = try state(runtime, finished: false)
        state.skip -= heldBack
        state.records -= heldBack
        return RecordBatch(marker: Checkpoint(source: source, sequence: sequence, state: state, produced: state.records - baseRecords))
    }

    /// The source is done: keeps its final state (cursor, record count) for the end of the run.
    func sourceEnded(_ runtime: SourceRuntime) throws {
        finalState = try state(runtime, finished: true)
    }

    /// What the store keeps for this source now (`finished`: the run is complete).
    func state(_ runtime: SourceRuntime, finished: Bool) throws -> StreamState {
        let position = try runtime.position
        let cursor = position.cursor ?? start.committedCursor
        let partitions = (position.partitions ?? []).map { p in
            finished ? PartitionState(key: p.key, partition: p.partition, runCursor: p.cursor, cursor: p.cursor, records: p.records) : p
        }
        return StreamState(node: node, stream: runtime.stream,
                           pagination: finished ? nil : position.pagination,
                           skip: finished || runtime.countsPages || runtime is PushSource ? 0 : position.produced,
                           exhausted: !finished && position.exhausted,
                           runCursor: finished ? cursor : start.stateCursor,
                           cursor: cursor, records: baseRecords + position.produced,
                           lastRun: start.lastRun, partitions: partitions)
    }
}
