import Foundation

/// Commits a source's checkpoint once every sink downstream of it has acknowledged the marker,
/// that is, has durably written every record the source sent before it, together with the token
/// each sink returned. Sinks acknowledge a source's markers in order, so the newest fully
/// acknowledged marker covers the older ones.
final class CheckpointCoordinator: Sendable {
    private let store: any StateBackend
    /// The run's lease, which every commit carries.
    private let lease: Lease
    /// Sink node ids downstream of each source node id.
    private let downstream: [Int: Set<Int>]

    private struct NumberedToken {
        var number: Int
        var token: SinkToken
    }

    private struct State {
        /// source → sink → newest sequence acknowledged.
        var acknowledged: [Int: [Int: Int]] = [:]
        /// source → sequence → the token each sink returned when it acknowledged.
        var reports: [Int: [Int: [Int: NumberedToken]]] = [:]
        /// source → newest sequence committed.
        var committed: [Int: Int] = [:]
        /// sink → tokens it has returned so far (numbers its tokens in the order it returned them).
        var returned: [Int: Int] = [:]
        /// What the store holds for each sink: its newest committed token (with fan-in, the
        /// sources' checkpoints cover different prefixes of its output; the newest covers the others).
        var committedSinks: [Int: NumberedToken] = [:]
        /// Committed tokens a sink has not been told about yet.
        var undelivered: [Int: SinkToken] = [:]
        /// source → its stream as the store holds it: a commit writes only the partitions that changed.
        var streams: [Int: StreamState] = [:]
    }

    private let state = Locked(State())
    /// Push sources told of their commits, by node id (set up before the run starts).
    private let listeners = Locked<[Int: any PushSource]>([:])

    /// Told about every commit, with the source's name (`sourceNames`, by node id).
    private let observers: [any RunObserver]
    private let sourceNames: [Int: String]

    init(store: any StateBackend, lease: Lease, downstream: [Int: Set<Int>], observers: [any RunObserver] = [],
         sourceNames: [Int: String] = [:]) {
        self.store = store
        self.lease = lease
        self.downstream = downstream
        self.observers = observers
        self.sourceNames = sourceNames
    }

    /// `committed`: what the store holds for `source`'s stream as the run starts.
    func track(source: Int, committed: StreamState?) {
        state.withLock { $0.streams[source] = committed }
    }

    /// What committing `stream` as `source`'s state writes: the changes since its last commit.
    func update(source: Int, to stream: StreamState) -> StreamUpdate {
        state.withLock { StreamUpdate(from: $0.streams[source], to: stream) }
    }

    /// Tells `source` of each commit of its checkpoints from now on.
    func listen(source: Int, _ listener: any PushSource) {
        listeners.withLock { $0[source] = listener }
    }

    /// Sink `sink` has durably written everything before `marker`; `token` is what it returned.
    func acknowledge(_ marker: Checkpoint, sink: Int, token: SinkToken?) throws {
        try acknowledge([(marker, token)], sink: sink)
    }

    /// Sink `sink` has durably written everything before each of `markers` (in the order it
    /// received them), with the token it returned for each: one fsync that made several
    /// checkpoints durable. Each source's newest checkpoint that every sink now covers is
    /// committed, once; it covers the older ones.
    func acknowledge(_ markers: [(marker: Checkpoint, token: SinkToken?)], sink: Int) throws {
        try state.withLock { s in
            var newest: [Int: Checkpoint] = [:]
            for (marker, token) in markers {
                let source = marker.source
                s.acknowledged[source, default: [:]][sink] = marker.sequence
                if let token {
                    s.returned[sink, default: 0] += 1
                    s.reports[source, default: [:]][marker.sequence, default: [:]][sink] = NumberedToken(number: s.returned[sink]!, token: token)
                }
                let sinks = downstream[source] ?? []
                if sinks.allSatisfy({ (s.acknowledged[source]?[$0] ?? 0) >= marker.sequence }) { newest[source] = marker }
            }
            for marker in newest.values where marker.sequence > s.committed[marker.source] ?? 0 {
                try commit(marker, in: &s)
            }
        }
    }

    /// Commits `marker`'s position with the newest tokens its sinks returned for it.
    private func commit(_ marker: Checkpoint, in s: inout State) throws {
        let source = marker.source
        var changed: [Int: SinkToken] = [:]
        for (id, report) in s.reports[source]?[marker.sequence] ?? [:] where report.number > s.committedSinks[id]?.number ?? 0 {
            s.committedSinks[id] = report
            changed[id] = report.token
        }
        try store.commit(StateCommit(streams: [StreamUpdate(from: s.streams[source], to: marker.state)], sinks: Array(changed.values)),
                         lease: lease)
        s.committed[source] = marker.sequence
        s.streams[source] = marker.state
        if !observers.isEmpty {
            let lag = Double(DispatchTime.now().uptimeNanoseconds - marker.emitted) / 1e9
            for observer in observers {
                observer.checkpointCommitted(source: sourceNames[source] ?? "", sequence: marker.sequence, lagSeconds: lag)
            }
        }
        s.reports[source] = s.reports[source]?.filter { $0.key > marker.sequence }
        s.undelivered.merge(changed) { $1 }
        listeners.withLock { $0[source] }?.committed(produced: marker.produced)
    }

    /// The newest token of `sink` committed since it was last asked, if any.
    func takeCommitted(sink: Int) -> SinkToken? {
        state.withLock { $0.undelivered.removeValue(forKey: sink) }
    }
}
