/// What the store keeps for one partition of a source's stream (a source that declares
/// `partitions()`): where an unfinished run got to in it and its own incremental cursor.
public struct PartitionState: Sendable, Equatable {
    /// What identifies the partition across runs: its `key` field, else its canonical JSON.
    public var key: String
    /// The partition table as canonical JSON (sorted keys), as `state.partition` receives it.
    public var partition: String
    /// JSON of the pagination `get()` is called with next in this partition, while a run is unfinished.
    public var pagination: String?
    /// The unfinished run read this partition to its end: a resumed run skips it.
    public var exhausted: Bool
    /// JSON of the `state.cursor` this partition started with in the unfinished run.
    public var runCursor: String?
    /// JSON of the largest `cursor_field` value over this partition's committed records.
    public var cursor: String?
    /// Records of this partition committed over all runs.
    public var records: Int

    public init(key: String, partition: String, pagination: String? = nil, exhausted: Bool = false,
                runCursor: String? = nil, cursor: String? = nil, records: Int = 0) {
        self.key = key
        self.partition = partition
        self.pagination = pagination
        self.exhausted = exhausted
        self.runCursor = runCursor
        self.cursor = cursor
        self.records = records
    }
}
