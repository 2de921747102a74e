/// What a sink returns at a checkpoint and gets back when an unfinished run resumes: the engine
/// stores it with the sources' positions in one transaction and never looks inside `data`.
/// A file sink keeps its in-progress path and length there, a database the id of its last
/// committed load, a Lua sink whatever its `flush()` returned.
public struct SinkToken: Sendable, Equatable {
    public var node: String
    /// Records the sink has made durable in the unfinished run.
    public var records: Int
    /// The sink's own JSON text (nil: the record count is all it needs).
    public var data: String?

    public init(node: String, records: Int, data: String? = nil) {
        self.node = node
        self.records = records
        self.data = data
    }
}
