/// Where a source starts: a fresh run, or the resume point of an unfinished one.
public struct SourceStart: Sendable {
    /// JSON of the pagination the first `get()` call receives (nil: `{}`).
    public var pagination: String?
    /// Records a `run()` or file source already delivered in the unfinished run.
    public var skip = 0
    /// The unfinished run had read everything: the source produces nothing more.
    public var exhausted = false
    /// JSON of `state.cursor` for `get(pagination, state)`.
    public var stateCursor: String?
    /// JSON of the cursor committed so far (the running maximum starts here).
    public var committedCursor: String?
    /// ISO-8601 start of the last successful run (`state.last_run`).
    public var lastRun: String?
    /// The partitions the store holds for the stream (see ``PartitionWalk``).
    public var partitions: [PartitionState] = []
    /// `partitions` belong to an unfinished run that this one resumes.
    public var resumingPartitions = false

    /// A fresh run after `stored` (nil: the first run).
    static func fresh(after stored: StreamState?) -> SourceStart {
        SourceStart(stateCursor: stored?.cursor, committedCursor: stored?.cursor, lastRun: stored?.lastRun,
                    partitions: stored?.partitions ?? [])
    }

    /// Resuming the unfinished run `stored` describes.
    static func resuming(_ stored: StreamState) -> SourceStart {
        SourceStart(pagination: stored.pagination, skip: stored.skip, exhausted: stored.exhausted, stateCursor: stored.runCursor,
                    committedCursor: stored.cursor, lastRun: stored.lastRun, partitions: stored.partitions, resumingPartitions: true)
    }
}

/// A source's position after the batches it returned so far.
public struct SourcePosition: Sendable {
    /// JSON of the pagination the next `get()` call would receive.
    public var pagination: String?
    /// Records delivered in this run, counting those skipped on resume.
    public var produced: Int
    /// The source has read everything (its next batch is nil).
    public var exhausted = false
    /// JSON of the largest `cursor_field` value seen (including the committed one).
    public var cursor: String?
    /// Each declared partition, for a source that declares `partitions()` (nil otherwise).
    public var partitions: [PartitionState]?

    public init(pagination: String? = nil, produced: Int, exhausted: Bool = false, cursor: String? = nil,
                partitions: [PartitionState]? = nil) {
        self.pagination = pagination
        self.produced = produced
        self.exhausted = exhausted
        self.cursor = cursor
        self.partitions = partitions
    }
}
