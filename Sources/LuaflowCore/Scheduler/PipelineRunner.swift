import Foundation

/// Options of one run.
public struct RunOptions: Sendable {
    /// Stop every source after this many records (`--limit`).
    public var limit: Int?
    /// Batches a queue holds before its producer waits.
    public var queueCapacity: Int = 8
    /// Run adjacent single-input, single-output transforms in one state (`--no-fuse` turns it off).
    public var fuse = true
    /// Host modules and built-ins from other targets (HTTP).
    public var extensions = HostExtensions()
    /// Checkpoints, resume and incremental state (nil: a run that neither reads nor keeps state).
    public var state: StateOptions?
    /// Told about the run's start and end, each node's start and end, and every checkpoint commit.
    public var observers: [any RunObserver] = []
    /// Receives what scripts record with the `metrics` module, as they record it.
    public var scriptMetrics: (any ScriptMetricsForwarder)?
    /// `--backfill FROM..TO`: sources read that range as a stream of its own.
    public var backfill: BackfillRange?
    /// Where `<node>.dead.jsonl` files go (nil: the pipeline's directory; a preview's own).
    public var deadLetterDirectory: String?

    public init(limit: Int? = nil, fuse: Bool = true, extensions: HostExtensions = HostExtensions(), state: StateOptions? = nil,
                observers: [any RunObserver] = [], scriptMetrics: (any ScriptMetricsForwarder)? = nil, backfill: BackfillRange? = nil,
                deadLetterDirectory: String? = nil) {
        self.limit = limit
        self.fuse = fuse
        self.extensions = extensions
        self.state = state
        self.observers = observers
        self.scriptMetrics = scriptMetrics
        self.backfill = backfill
        self.deadLetterDirectory = deadLetterDirectory
    }
}

/// Runs a validated pipeline: one thread per node, bounded queues between them. Sources end →
/// queues drain → each node's finalize runs after all its inputs are done (topological order) →
/// sinks commit. The first failure cancels everything and sinks leave their previous output.
public final class PipelineRunner {
    public let graph: PipelineGraph
    public let options: RunOptions
    /// Per-node counters, in topological order.
    public let stats: [NodeStats]
    private let plan: StagePlan
    /// Each stage's runtimes: one, or one per worker.
    private let runtimes: [[NodeRuntime]]

    /// Loads every node (scripts compiled, configs validated); throws all problems together.
    public init(graph: PipelineGraph, options: RunOptions = RunOptions()) throws {
        self.graph = graph
        self.options = options
        plan = StagePlan(graph: graph, fuse: options.fuse)
        let statsById = Dictionary(uniqueKeysWithValues: graph.order.map {
            let node = graph.node($0)
            let deadLetters = node.options.onError == .deadLetter ? DeadLetterFile(node: node.name, directory: options.deadLetterDirectory ?? graph.spec.directory) : nil
            let stats = NodeStats(name: node.name, role: node.role, deadLetters: deadLetters)
            stats.scriptMetrics.forwarder = options.scriptMetrics
            return ($0, stats)
        })
        var runtimes: [[NodeRuntime]] = []
        var problems: [PipelineError] = []
        for stage in plan.stages {
            let specs = stage.map(graph.node)
            do {
                if specs[0].options.workers > 1 && specs[0].role != .transform {
                    throw PipelineError(.config, node: specs[0].name, phase: "config",
                                        "workers applies to transforms only (\(specs[0].declaredAt(graph.spec.file)))")
                }
                runtimes.append(try (0..<specs[0].options.workers).map { _ -> NodeRuntime in
                    if specs.count > 1 {
                        return try FusedTransformRuntime(specs: specs, pipeline: graph.spec, stats: stage.map { statsById[$0]! },
                                                         extensions: options.extensions)
                    }
                    return try NodeFactory.make(specs[0], pipeline: graph.spec, stats: statsById[stage[0]]!, options: options)
                })
            } catch let error as PipelineErrors {
                problems += error.errors
            } catch let error as PipelineError {
                problems.append(error)
            } catch {
                problems.append(PipelineError(.config, node: specs[0].name, phase: "load", "\(error)"))
            }
        }
        if !problems.isEmpty { throw PipelineErrors(problems) }
        self.runtimes = runtimes
        self.stats = graph.order.map { statsById[$0]! }
    }

    /// Runs to completion. Throws the first failure; returns the summary otherwise.
    public func run() throws -> RunSummary {
        let started = DispatchTime.now()
        let control = RunControl()
        // One input queue per stage, keyed by the stage's first node.
        var queues: [Int: BoundedQueue<RecordBatch>] = [:]
        for id in plan.stages.map(\.[0]) {
            let producers = graph.inputs[id, default: []].count
            if producers > 0 {
                let q = BoundedQueue<RecordBatch>(capacity: options.queueCapacity, producers: producers)
                queues[id] = q
                control.track(q)
                stats[graph.order.firstIndex(of: id)!].inputQueue = q
            }
        }
        let runState: RunState?
        do { runState = try options.state.map { try makeRunState($0) } } catch {
            report(.failed, started: started)
            throw error
        }
        options.observers.forEach { $0.runStarted(stats: stats, resuming: runState?.resuming ?? false) }
        let group = DispatchGroup()
        let threads = zip(plan.stages, runtimes).flatMap { nodes, replicas -> [StageThread] in
            let head = graph.node(nodes[0])
            let output = StageOutput(queues: graph.outputs[nodes.last!, default: []].compactMap { queues[$0] },
                                     workers: replicas.count, ordered: head.options.ordered)
            let lifecycle = options.observers.isEmpty ? nil
                : StageLifecycle(nodes: nodes.map { graph.node($0).name }, workers: replicas.count, observers: options.observers)
            return replicas.enumerated().map { index, runtime in
                let stage = Stage(node: nodes[0], runtime: runtime, input: queues[nodes[0]], output: output, control: control,
                                  checkpointer: runState?.checkpointers[nodes[0]], coordinator: runState?.coordinator,
                                  lifecycle: lifecycle)
                let name = nodes.map { graph.node($0).name }.joined(separator: "+") + (replicas.count > 1 ? "/\(index + 1)" : "")
                return StageThread(name: name, group: group) { stage.run() }
            }
        }
        threads.forEach { $0.start() }
        while group.wait(timeout: .now() + .milliseconds(20)) == .timedOut {
            if Interrupt.requested && !control.interrupted { stop(control) }
        }
        if Interrupt.requested && !control.interrupted { stop(control) }
        stats.forEach { $0.inputQueue = nil }
        let summary = {
            RunSummary(nodes: self.stats, seconds: Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9,
                       interrupted: control.interrupted, resumedRun: runState.flatMap { $0.resumePoints.isEmpty ? nil : $0.startedAt },
                       resumed: runState?.resumedRecords ?? [:])
        }
        do {
            try finish(control, state: runState)
        } catch {
            try? runState?.recordAttempt(.failed, summary: summary())
            report(.failed, started: started)
            throw error
        }
        let result = summary()
        let outcome: RunStatus = result.interrupted ? .interrupted : .succeeded
        try runState?.recordAttempt(outcome, summary: result)
        report(outcome, started: started)
        return result
    }

    /// Tells the observers how the run ended.
    private func report(_ outcome: RunStatus, started: DispatchTime) {
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        options.observers.forEach { $0.runFinished(outcome, seconds: seconds) }
    }

    /// A stop signal: queues are cancelled, blocked requests and sleeps end, running Lua raises at
    /// its next hook tick; every stage then returns without finishing its work.
    private func stop(_ control: RunControl) {
        control.interrupt()
        options.extensions.onInterrupt.forEach { $0() }
    }
}

extension PipelineRunner {
    /// Sinks publish together, only when every node succeeded; otherwise none does. With state, a
    /// failed or interrupted run keeps the in-progress outputs that its checkpoints cover for the
    /// next run to resume, and a successful one commits its final state before publishing.
    fileprivate func finish(_ control: RunControl, state: RunState?) throws {
        let sinks = runtimes.joined().compactMap { $0 as? SinkRuntime }
        // Dead letters describe what happened, whatever the outcome.
        let publishDeadLetters = { for file in self.stats.compactMap(\.deadLetters) { try file.publish() } }
        let abortSinks = { for sink in sinks { sink.abort(keepingProgress: state?.hasCommittedOutput(sink.stats.name) ?? false) } }
        if control.interrupted || control.error != nil {
            abortSinks()
            try? publishDeadLetters() // the run's own error is the one to report
            try? state?.end(control.interrupted ? .interrupted : .failed)
            if control.interrupted { return }
            throw control.error!
        }
        try publishDeadLetters()
        let publish = {
            do {
                for sink in sinks { try sink.publish() }
            } catch {
                abortSinks()
                throw error
            }
        }
        guard let state else { return try publish() }
        try state.complete(sinks: control.finalTokens, publish: publish)
    }

    /// Source runtimes by node id (sources are never fused or replicated).
    fileprivate var sourceRuntimes: [Int: SourceRuntime] {
        Dictionary(uniqueKeysWithValues: zip(plan.stages, runtimes).compactMap { nodes, replicas in
            (replicas.first as? SourceRuntime).map { (nodes[0], $0) }
        })
    }

    fileprivate func makeRunState(_ options: StateOptions) throws -> RunState {
        let sinks = Dictionary(uniqueKeysWithValues: zip(plan.stages, runtimes).compactMap { nodes, replicas in
            (replicas.first as? SinkRuntime).map { (nodes[0], $0) }
        })
        let holding = Set(zip(plan.stages, runtimes).flatMap { nodes, replicas in
            (replicas.first as? TransformRuntime)?.holdsRecords == true ? nodes : []
        })
        var downstream: [Int: Set<Int>] = [:]
        var buffered = Set<Int>()
        for source in sourceRuntimes.keys {
            var seen = Set<Int>()
            var frontier = [source]
            while let id = frontier.popLast() {
                for next in graph.outputs[id, default: []] where seen.insert(next).inserted { frontier.append(next) }
            }
            downstream[source] = seen.filter { sinks[$0] != nil }
            if !seen.isDisjoint(with: holding) { buffered.insert(source) }
        }
        return try RunState(options: options, graph: graph, sources: sourceRuntimes, sinks: sinks,
                            downstream: downstream, buffered: buffered, observers: self.options.observers)
    }
}

/// The loop of one node's thread (or of one worker of a node).
private struct Stage: @unchecked Sendable {
    /// The node id of the stage's first node.
    let node: Int
    let runtime: NodeRuntime
    let input: BoundedQueue<RecordBatch>?
    let output: StageOutput
    let control: RunControl
    let checkpointer: SourceCheckpointer?
    let coordinator: CheckpointCoordinator?
    let lifecycle: StageLifecycle?

    func run() {
        let started = DispatchTime.now()
        lifecycle?.workerStarted()
        var failure: (any Error)?
        defer { lifecycle?.workerFinished(error: failure) }
        do {
            try runtime.open()
            switch runtime {
            case let source as SourceRuntime: try pump(source)
            case let transform as TransformRuntime: try pump(transform)
            case let sink as SinkRuntime: try pump(sink)
            default: break
            }
        } catch where Interrupt.requested {
            // What a stop signal cut short (a cancelled request, Lua raising "interrupted") is not a failure.
        } catch {
            failure = error
            if runtime is SourceRuntime && checkpointer != nil { control.failAfterDrain(error) } else { control.fail(error) }
        }
        output.workerFinished()
        runtime.sampleResources()
        runtime.recordTime(Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9)
    }

    private func pump(_ source: SourceRuntime) throws {
        var skip = checkpointer?.skip ?? 0
        while !control.stopped && !Interrupt.requested {
            guard var batch = try source.next() else {
                try checkpointer?.sourceEnded(source)
                return
            }
            if skip > 0 {
                // Resuming: the checkpoint already covers these records.
                let n = min(skip, batch.records)
                skip -= n
                source.stats.update { $0.recordsOut -= n }
                guard let rest = batch.dropping(first: n) else { continue }
                batch = rest
            }
            source.sampleResources()
            var rest: RecordBatch? = batch
            while let current = rest {
                let due = checkpointer?.recordsUntilDue(source) ?? current.records
                let (head, tail) = current.split(after: due)
                rest = tail
                if head.records > 0 || head.length > 0 {
                    output.send(head)
                    source.stats.update { $0.batches += 1 }
                }
                if let marker = try checkpointer?.afterBatch(source, records: head.records, heldBack: tail?.records ?? 0) {
                    output.send(marker)
                }
            }
        }
    }

    /// The next input batch. A node with timers wakes when one is due and fires it (what it emits
    /// goes to `emit`), between batches and while no batch comes.
    private func nextInput(_ node: NodeRuntime, emit: (RecordBatch) -> Void) throws -> (number: Int, item: RecordBatch)? {
        guard let input else { return nil }
        guard let timed = node as? TimerNode, timed.secondsUntilTimer != nil else { return input.popNumbered() }
        while let wait = timed.secondsUntilTimer, !control.stopped {
            if wait <= 0 {
                if let out = try timed.fireTimers() { emit(out) }
                timed.sampleResources()
                continue
            }
            switch input.popNumbered(waitingAtMost: wait) {
            case .item(let number, let batch): return (number, batch)
            case .timedOut: continue
            case .ended: return nil
            }
        }
        return nil
    }

    private func pump(_ transform: TransformRuntime) throws {
        while let (number, batch) = try nextInput(transform, emit: output.send) {
            if batch.checkpoint != nil {
                output.deliver(batch, for: number)
                continue
            }
            transform.stats.update { $0.batches += 1 }
            output.deliver(try transform.process(batch), for: number)
            transform.sampleResources()
        }
        guard !control.stopped else { return }
        if let out = try transform.finish() { output.deliverFinal(out) }
    }

    private func pump(_ sink: SinkRuntime) throws {
        // A group commit for a sink whose checkpoints cost (an fsync): a checkpoint waits, with its
        // position, while more input is already queued (for at most 0.25 s) or arrives within a
        // few milliseconds, and the next durable point makes all the waiting ones durable with one
        // fsync and one state commit. Every checkpoint is still committed, in order; none waits
        // longer than that, nor past the end of the stage.
        var waiting: [(marker: Checkpoint, token: SinkToken?)] = []
        var lastDurable = DispatchTime.now().uptimeNanoseconds
        func makeDurable(_ marker: Checkpoint?) throws {
            let token = try sink.checkpoint()
            lastDurable = DispatchTime.now().uptimeNanoseconds
            if let marker { waiting.append((marker, token)) }
            let durable = waiting
            waiting.removeAll()
            try coordinator?.acknowledge(durable, sink: node)
        }
        func age() -> UInt64 { DispatchTime.now().uptimeNanoseconds - lastDurable }
        defer { if !waiting.isEmpty { try? makeDurable(nil) } }
        while true {
            var next: (number: Int, item: RecordBatch)?
            if !waiting.isEmpty, let input, input.depth == 0 {
                let left = Self.groupCommitWindow - Int64(age())
                if left <= 0 {
                    try makeDurable(nil)
                    continue
                }
                switch input.popNumbered(waitingAtMost: Double(left) / 1e9) {
                case .item(let number, let batch): next = (number, batch)
                case .timedOut:
                    try makeDurable(nil)
                    continue
                case .ended: break
                }
            } else {
                next = try nextInput(sink, emit: { _ in })
            }
            guard let (_, batch) = next else { break }
            if let marker = batch.checkpoint {
                let behind = input?.depth ?? 0 > 0 && age() < 250_000_000
                if sink.defersCheckpoints, behind || age() < UInt64(Self.groupCommitWindow) {
                    waiting.append((marker, try sink.pendingToken()))
                } else {
                    try makeDurable(marker)
                }
            } else {
                sink.stats.update { $0.batches += 1 }
                try sink.consume(batch)
                sink.sampleResources()
            }
            if let token = coordinator?.takeCommitted(sink: node) { try sink.committed(token) }
        }
        if !waiting.isEmpty { try makeDurable(nil) }
        if !control.stopped { control.sinkFinished(try sink.finish()) }
    }

    /// How long a sink that defers checkpoints waits for more input before it makes the waiting
    /// checkpoints durable (nanoseconds).
    static let groupCommitWindow: Int64 = 10_000_000
}

extension PipelineRunner: @unchecked Sendable {
    /// Runs from async code: the run is driven from a dedicated thread, so the caller never blocks
    /// Swift's cooperative pool (whose few threads HTTP requests and other async work need).
    public func run() async throws -> RunSummary {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try self.run() }) }
            thread.name = "luaflow:run"
            thread.start()
        }
    }
}
