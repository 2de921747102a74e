import Foundation

/// Commits a source's checkpoint once every sink downstream of it has acknowledged the marker,
/// that is, has durably written every record the source sent before it. Sinks acknowledge a
/// source's markers in order, so the newest fully acknowledged marker covers the older ones.
final class CheckpointCoordinator: Sendable {
    private let store: StateStore
    /// Sink node ids downstream of each source node id.
    private let downstream: [Int: Set<Int>]
    private struct State {
        /// source → sink → newest sequence acknowledged.
        var acknowledged: [Int: [Int: Int]] = [:]
        /// source → sequence → what each sink reported when it acknowledged.
        var reports: [Int: [Int: [Int: SinkState]]] = [:]
        /// source → newest sequence committed.
        var committed: [Int: Int] = [:]
        /// What the store holds for each sink: the longest committed output (with fan-in, the
        /// sources' checkpoints cover different prefixes; keeping the longest loses nothing).
        var committedSinks: [Int: SinkState] = [:]
    }

    private let state = Locked(State())

    init(store: StateStore, downstream: [Int: Set<Int>]) {
        self.store = store
        self.downstream = downstream
    }

    /// Sink `sink` has durably written everything before `marker`; `state` is how far its output goes.
    func acknowledge(_ marker: Checkpoint, sink: Int, state: SinkState?) throws {
        try self.state.withLock { s in
            let source = marker.source
            s.acknowledged[source, default: [:]][sink] = marker.sequence
            if let state { s.reports[source, default: [:]][marker.sequence, default: [:]][sink] = state }
            let sinks = downstream[source] ?? []
            let complete = sinks.allSatisfy { (s.acknowledged[source]?[$0] ?? 0) >= marker.sequence }
            guard complete, marker.sequence > s.committed[source] ?? 0 else { return }
            var changed: [SinkState] = []
            for (id, state) in s.reports[source]?[marker.sequence] ?? [:] where state.length >= s.committedSinks[id]?.length ?? 0 {
                s.committedSinks[id] = state
                changed.append(state)
            }
            try store.commit(streams: [marker.state], sinks: changed)
            s.committed[source] = marker.sequence
            s.reports[source] = s.reports[source]?.filter { $0.key > marker.sequence }
        }
    }
}
