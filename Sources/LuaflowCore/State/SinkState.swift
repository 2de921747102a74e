/// What the store keeps for one file sink of an unfinished run: how much of its in-progress
/// output is covered by the last checkpoint.
public struct SinkState: Sendable, Equatable {
    public var node: String
    /// The in-progress file the sink appends to.
    public var path: String
    /// Bytes of `path` covered by the last checkpoint; a resumed run cuts the file back to this.
    public var length: Int64
    /// Records in those bytes.
    public var records: Int
    /// JSON array of CSV columns, for a CSV sink that inferred them.
    public var columns: String?

    public init(node: String, path: String, length: Int64, records: Int, columns: String? = nil) {
        self.node = node
        self.path = path
        self.length = length
        self.records = records
        self.columns = columns
    }
}
