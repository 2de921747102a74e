/// One stream of a connector and the schema inferred from its first records.
public struct DiscoveredStream: Sendable {
    public var name: String
    /// Records sampled.
    public var records: Int
    public var schema: InferredSchema
    /// The table's columns, for a database source (empty for others).
    public var columns: [DiscoveredColumn] = []

    public init(name: String, records: Int, schema: InferredSchema, columns: [DiscoveredColumn] = []) {
        self.name = name
        self.records = records
        self.schema = schema
        self.columns = columns
    }
}
