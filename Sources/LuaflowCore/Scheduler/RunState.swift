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

/// A checkpointed run's bookkeeping: opens and locks the store, finishes a publish a crash cut
/// short, tells sources and sinks where to start (resuming an unfinished run), commits the end.
final class RunState {
    let store: StateStore
    let resuming: Bool
    let startedAt: String
    let coordinator: CheckpointCoordinator
    /// Per source node id.
    private(set) var checkpointers: [Int: SourceCheckpointer] = [:]
    private let lock: StateLock

    /// `downstream`: sink ids each source feeds; `buffered`: sources whose records may wait in a
    /// transform's finalize (they commit only at the end).
    init(options: StateOptions, graph: PipelineGraph, sources: [Int: SourceRuntime], sinks: [Int: SinkRuntime],
         downstream: [Int: Set<Int>], buffered: Set<Int>, observers: [any RunObserver] = []) throws {
        lock = try StateLock(path: options.path + ".lock")
        store = try StateStore(path: options.path)
        if options.fullRefresh { try store.reset() }
        let last = try store.lastRun()
        if last?.status == .publishing { try Self.finishPublishing(store, sinks: sinks, graph: graph) }
        resuming = last.map { $0.status.isUnfinished } ?? false
        startedAt = resuming ? last!.startedAt : StateStore.now()
        coordinator = CheckpointCoordinator(store: store, downstream: downstream, observers: observers,
                                            sourceNames: Dictionary(uniqueKeysWithValues: sources.keys.map { ($0, graph.node($0).name) }))
        for (id, runtime) in sources {
            let spec = graph.node(id)
            let stored = try store.stream(node: spec.name, stream: runtime.stream)
            let checkpointer = SourceCheckpointer(source: id, node: spec.name, stored: stored, resuming: resuming,
                                                  every: spec.options.checkpointEvery, enabled: !buffered.contains(id))
            try runtime.start(from: checkpointer.start)
            checkpointers[id] = checkpointer
        }
        for (id, runtime) in sinks {
            try runtime.resume(from: resuming ? try store.sinkToken(node: graph.node(id).name) : nil, run: startedAt)
        }
        if !resuming { try store.commit(streams: [], sinks: [], clearSinks: true) }
        try store.markRunning(startedAt: startedAt)
    }

    /// Whether a committed checkpoint covers part of sink `node`'s in-progress output.
    func hasCommittedOutput(_ node: String) -> Bool {
        (try? store.sinkToken(node: node)) != nil
    }

    /// The run failed or was interrupted: the store says so; its checkpoints stay for the next run.
    func end(_ status: RunStatus) throws {
        try store.markRun(status)
    }

    /// The run succeeded: commits every source's final state (cursor, no pagination) and the sinks'
    /// outputs as "publishing", then `publish` renames them and the run is marked succeeded.
    func complete(sinks: [SinkToken], publish: () throws -> Void) throws {
        let streams = checkpointers.values.compactMap { checkpointer -> StreamState? in
            guard var state = checkpointer.finalState else { return nil }
            state.lastRun = startedAt
            return state
        }
        try store.commit(streams: streams, sinks: sinks, clearSinks: true, status: .publishing)
        try publish()
        try store.commit(streams: [], sinks: [], clearSinks: true, status: .succeeded)
    }

    /// A crash after the final commit but before every sink published: each sink finishes its
    /// publish from the token it committed.
    private static func finishPublishing(_ store: StateStore, sinks: [Int: SinkRuntime], graph: PipelineGraph) throws {
        let byName = Dictionary(uniqueKeysWithValues: sinks.map { (graph.node($0.key).name, $0.value) })
        for token in try store.sinkTokens() {
            guard let sink = byName[token.node] else { continue }
            do { try sink.completePublish(token) } catch let error as PipelineError { throw error } catch {
                throw PipelineError(.runtime, node: token.node, phase: "publish", "\(error)")
            }
        }
        try store.commit(streams: [], sinks: [], clearSinks: true, status: .succeeded)
    }
}
