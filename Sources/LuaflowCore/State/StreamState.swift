/// What the store keeps for one source and stream: where an unfinished run got to and the
/// incremental cursor over everything committed so far.
public struct StreamState: Sendable, Equatable {
    public var node: String
    public var stream: String
    /// JSON of the pagination `get()` is called with next, while a run is unfinished.
    public var pagination: String?
    /// Records of the unfinished run already committed (a `run()` or file source skips them on resume).
    public var skip: Int
    /// The unfinished run's source had read everything when this was committed: a resumed run
    /// reads nothing more from it (a `get()` source's nil pagination would otherwise mean "from the start").
    public var exhausted: Bool
    /// JSON of the `state.cursor` the unfinished run started with (it resumes with the same one).
    public var runCursor: String?
    /// JSON of the largest `cursor_field` value over all committed records.
    public var cursor: String?
    /// Records committed over all runs.
    public var records: Int
    /// ISO-8601 start time of the last successful run.
    public var lastRun: String?
    /// ISO-8601 time of the last commit.
    public var updatedAt: String?
    /// The partitions of a source that declares `partitions()`, in declared order (empty otherwise).
    /// Committing the stream replaces the partitions the store holds for it.
    public var partitions: [PartitionState]

    public init(node: String, stream: String = "", pagination: String? = nil, skip: Int = 0, exhausted: Bool = false,
                runCursor: String? = nil, cursor: String? = nil, records: Int = 0, lastRun: String? = nil, updatedAt: String? = nil,
                partitions: [PartitionState] = []) {
        self.node = node
        self.stream = stream
        self.pagination = pagination
        self.skip = skip
        self.exhausted = exhausted
        self.runCursor = runCursor
        self.cursor = cursor
        self.records = records
        self.lastRun = lastRun
        self.updatedAt = updatedAt
        self.partitions = partitions
    }
}
