/// One stream of a connector and the schema inferred from its first records.
public struct DiscoveredStream: Sendable {
    public var name: String
    /// Records sampled.
    public var records: Int
    public var schema: InferredSchema
}
