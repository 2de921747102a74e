import Foundation

/// Where a run keeps its state (`--state`), and whether to forget it first (`--full-refresh`).
public struct StateOptions: Sendable {
    public var path: String
    public var fullRefresh: Bool

    public init(path: String, fullRefresh: Bool = false) {
        self.path = path
        self.fullRefresh = fullRefresh
    }
}

/// A checkpointed run's bookkeeping: opens the state and claims it (lock and lease), finishes a
/// publish a crash cut short, tells sources and sinks where to start (resuming an unfinished
/// run), commits the end.
final class RunState {
    let store: any StateBackend
    let resuming: Bool
    let startedAt: String
    /// How the sinks name the logical run (the same across its resumes).
    let runKey: String
    let coordinator: CheckpointCoordinator
    /// Per source node id.
    private(set) var checkpointers: [Int: SourceCheckpointer] = [:]
    /// Per node of a resumed run: where it continues ("record 40001", a pagination, records written).
    private(set) var resumePoints: [String: String] = [:]
    /// Per node of a resumed run: the records the earlier attempts committed.
    private(set) var resumedRecords: [String: Int] = [:]
    /// This attempt's entry in the run history.
    private var attempt: Int64 = 0
    /// Held until the run's bookkeeping is done: every write carries its lease.
    private let claim: PipelineClaim

    /// `downstream`: sink ids each source feeds; `buffered`: sources whose records may wait in a
    /// transform's finalize (they commit only at the end).
    init(options: StateOptions, graph: PipelineGraph, sources: [Int: SourceRuntime], sinks: [Int: SinkRuntime],
         downstream: [Int: Set<Int>], buffered: Set<Int>, observers: [any RunObserver] = []) throws {
        store = try openStateBackend(location: options.path, for: graph.spec)
        claim = try PipelineClaim(store)
        let lease = claim.lease
        if options.fullRefresh { try store.reset(node: nil, lease: lease) }
        let last = try store.lastRun()
        if let last, last.status == .publishing { try Self.finishPublishing(last, store, lease: lease, sinks: sinks, graph: graph) }
        resuming = last.map { $0.status.isUnfinished } ?? false
        startedAt = resuming ? last!.startedAt : WallClock.system.timestamp()
        runKey = resuming ? last!.id : PipelineRun.id(pipeline: graph.spec.name, startedAt: startedAt)
        coordinator = CheckpointCoordinator(store: store, lease: lease, downstream: downstream, observers: observers,
                                            sourceNames: Dictionary(uniqueKeysWithValues: sources.keys.map { ($0, graph.node($0).name) }))
        for (id, runtime) in sources {
            let spec = graph.node(id)
            let stored = try store.stream(node: spec.name, stream: runtime.stream)
            coordinator.track(source: id, committed: stored)
            let checkpointer = SourceCheckpointer(source: id, node: spec.name, stored: stored, resuming: resuming,
                                                  every: spec.options.checkpointEvery, interval: spec.options.checkpointInterval,
                                                  enabled: !buffered.contains(id))
            try runtime.start(from: checkpointer.start)
            if let push = runtime as? PushSource, !buffered.contains(id) {
                push.checkpointsCommit()
                coordinator.listen(source: id, push)
            }
            checkpointers[id] = checkpointer
            if resuming, stored != nil { describeResume(spec.name, checkpointer.start) }
        }
        for (id, runtime) in sinks {
            let name = graph.node(id).name
            let token = resuming ? try store.sinkToken(node: name) : nil
            try runtime.resume(from: token, run: runKey)
            if let token {
                resumePoints[name] = "after \(token.records) records"
                resumedRecords[name] = token.records
            }
        }
        if !resuming { try store.commit(StateCommit(clearSinks: true), lease: lease) }
        try store.markRunning(id: runKey, startedAt: startedAt, lease: lease)
        attempt = try store.beginAttempt(runStartedAt: startedAt, startedAt: WallClock.system.timestamp(), resumedFrom: resumePoints)
        // A run that committed nothing before it stopped simply starts again: nothing to say.
        if !resumePoints.isEmpty {
            let points = resumePoints.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: "; ")
            PipelineLog.logger.info("resuming the run started \(startedAt) from its last checkpoint: \(points)")
        }
    }

    private func describeResume(_ node: String, _ start: SourceStart) {
        if start.exhausted {
            resumePoints[node] = "at its end"
        } else if start.skip > 0 {
            resumePoints[node] = "at record \(start.skip + 1)"
            resumedRecords[node] = start.skip
        } else if let pagination = start.pagination {
            resumePoints[node] = "at page \(pagination)"
        }
    }

    /// Records how this attempt ended in the run history.
    func recordAttempt(_ outcome: RunStatus, summary: RunSummary) throws {
        let nodes = summary.rows.map {
            RunRecord.Node(node: $0.name, kind: $0.role.rawValue, recordsIn: $0.stats.recordsIn, recordsOut: $0.stats.recordsOut,
                           errors: $0.stats.errors, resumed: resumedRecords[$0.name])
        }
        try store.endAttempt(attempt, outcome: outcome, seconds: summary.seconds, nodes: nodes,
                             requests: summary.rows.map(\.stats.requests).reduce(0, +),
                             retries: summary.rows.map(\.stats.retries).reduce(0, +))
    }

    /// Whether a committed checkpoint covers part of sink `node`'s in-progress output.
    func hasCommittedOutput(_ node: String) -> Bool {
        (try? store.sinkToken(node: node)) != nil
    }

    /// The run failed or was interrupted: the store says so; its checkpoints stay for the next run.
    func end(_ status: RunStatus) throws {
        try store.markRun(id: runKey, status, lease: claim.lease)
    }

    /// The run succeeded: commits every source's final state (cursor, no pagination) and the sinks'
    /// outputs as "publishing", then `publish` renames them and the run is marked succeeded.
    func complete(sinks: [SinkToken], publish: () throws -> Void) throws {
        let streams = checkpointers.compactMap { source, checkpointer -> StreamUpdate? in
            guard var state = checkpointer.finalState else { return nil }
            state.lastRun = startedAt
            return coordinator.update(source: source, to: state)
        }
        try store.commit(StateCommit(streams: streams, sinks: sinks, clearSinks: true, run: (runKey, .publishing)), lease: claim.lease)
        try publish()
        try store.commit(StateCommit(clearSinks: true, run: (runKey, .succeeded)), lease: claim.lease)
    }

    /// A crash after the final commit but before every sink published: each sink finishes its
    /// publish from the token it committed.
    private static func finishPublishing(_ run: PipelineRun, _ store: any StateBackend, lease: Lease, sinks: [Int: SinkRuntime],
                                         graph: PipelineGraph) throws {
        let byName = Dictionary(uniqueKeysWithValues: sinks.map { (graph.node($0.key).name, $0.value) })
        for token in try store.sinkTokens() {
            guard let sink = byName[token.node] else { continue }
            do { try sink.completePublish(token) } catch let error as PipelineError { throw error } catch {
                throw PipelineError(.runtime, node: token.node, phase: "publish", "\(error)")
            }
        }
        try store.commit(StateCommit(clearSinks: true, run: (run.id, .succeeded)), lease: lease)
    }
}
