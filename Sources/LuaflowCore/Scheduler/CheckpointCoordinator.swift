import Foundation

/// Commits a source's checkpoint once every sink downstream of it has acknowledged the marker,
/// that is, has durably written every record the source sent before it. Sinks acknowledge a
/// source's markers in order, so the newest fully acknowledged marker covers the older ones.
final class CheckpointCoordinator: @unchecked Sendable {
    private let store: StateStore
    /// Sink node ids downstream of each source node id.
    private let downstream: [Int: Set<Int>]
    private let lock = NSLock()
    /// source → sink → newest sequence acknowledged.
    private var acknowledged: [Int: [Int: Int]] = [:]
    /// source → sequence → what each sink reported when it acknowledged.
    private var reports: [Int: [Int: [Int: SinkState]]] = [:]
    /// source → newest sequence committed.
    private var committed: [Int: Int] = [:]
    /// What the store holds for each sink: the longest committed output (with fan-in, the
    /// sources' checkpoints cover different prefixes; keeping the longest loses nothing).
    private var committedSinks: [Int: SinkState] = [:]

    init(store: StateStore, downstream: [Int: Set<Int>]) {
        self.store = store
        self.downstream = downstream
    }

    /// Sink `sink` has durably written everything before `marker`; `state` is how far its output goes.
    func acknowledge(_ marker: Checkpoint, sink: Int, state: SinkState?) throws {
        try lock.withLock {
            let source = marker.source
            acknowledged[source, default: [:]][sink] = marker.sequence
            if let state { reports[source, default: [:]][marker.sequence, default: [:]][sink] = state }
            let sinks = downstream[source] ?? []
            let complete = sinks.allSatisfy { (acknowledged[source]?[$0] ?? 0) >= marker.sequence }
            guard complete, marker.sequence > committed[source] ?? 0 else { return }
            var changed: [SinkState] = []
            for (id, state) in reports[source]?[marker.sequence] ?? [:] where state.length >= committedSinks[id]?.length ?? 0 {
                committedSinks[id] = state
                changed.append(state)
            }
            try store.commit(streams: [marker.state], sinks: changed)
            committed[source] = marker.sequence
            reports[source] = reports[source]?.filter { $0.key > marker.sequence }
        }
    }
}
