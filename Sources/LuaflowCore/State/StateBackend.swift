/// Where a pipeline's state lives: per source and stream the resume point and incremental cursor
/// (and the same per partition), per sink the token of its last committed checkpoint, the runs
/// and their history, and the leases that say which worker may write. An instance reads and
/// writes the state of one pipeline (``pipeline``); one backend may hold several.
///
/// Every call that changes what a run resumes from takes the caller's ``Lease`` and fails, with
/// nothing written, once a newer lease of its scope exists: a worker whose lease expired and was
/// taken over cannot commit. The run history is not fenced: each attempt records how it ended.
///
/// Calls block on I/O: they are made from node threads, never from Swift's cooperative pool.
public protocol StateBackend: AnyObject, Sendable {
    /// Where the state is kept, for people (a file path).
    var location: String { get }
    /// The name of the pipeline whose state this instance reads and writes.
    var pipeline: String { get }

    /// The names of the pipelines the backend holds a run, a state or a history of, sorted.
    func pipelines() throws -> [String]

    // MARK: Streams and sinks

    /// Every stream of the pipeline, by node then stream, each with its partitions in declared order.
    func streams() throws -> [StreamState]
    func stream(node: String, stream: String) throws -> StreamState?
    /// The tokens of the sinks of an unfinished run, by node.
    func sinkTokens() throws -> [SinkToken]
    func sinkToken(node: String) throws -> SinkToken?
    /// Writes `commit` in one transaction, stamping each stream with the time.
    func commit(_ commit: StateCommit, lease: Lease) throws
    /// Forgets everything of the pipeline (`--full-refresh`, `state reset`) but its run history,
    /// or only what belongs to `node`. Other pipelines' state stays.
    func reset(node: String?, lease: Lease) throws

    // MARK: Runs

    /// The pipeline's current or last run, if there was one.
    func lastRun() throws -> PipelineRun?
    /// Records that run `id` started (or resumed) at `startedAt`, run by the lease's owner; the
    /// runs of the pipeline before it are forgotten.
    func markRunning(id: String, startedAt: String, lease: Lease) throws
    /// Records that run `id` ended with `status` (an unfinished run: `failed`, `interrupted`).
    func markRun(id: String, _ status: RunStatus, lease: Lease) throws

    // MARK: History

    /// Adds a running attempt of the run started at `runStartedAt` to the history; returns its
    /// id. Only the newest ``RunRecord/kept`` attempts of the pipeline are kept.
    func beginAttempt(runStartedAt: String, startedAt: String, resumedFrom: [String: String]) throws -> Int64
    /// Records how attempt `id` ended.
    func endAttempt(_ id: Int64, outcome: RunStatus, seconds: Double, nodes: [RunRecord.Node], requests: Int, retries: Int) throws
    /// The last `limit` attempts, newest first.
    func history(limit: Int) throws -> [RunRecord]

    // MARK: Leases

    /// Leases `scope` to `owner` for `ttl` seconds with a new fencing token, when nobody else
    /// holds it (no lease, an expired one, one `owner` holds already); nil when another owner does.
    func acquireLease(scope: String, owner: String, ttl: Double) throws -> Lease?
    /// Extends `lease` to `ttl` seconds from now; fails when a newer lease of its scope exists.
    func renewLease(_ lease: Lease, ttl: Double) throws -> Lease
    /// Gives `lease` up, so another owner may acquire its scope at once (nothing happens when a
    /// newer lease exists). Its token stays the newest: commits with it are still accepted until
    /// the scope is acquired again.
    func releaseLease(_ lease: Lease) throws
}
