/// A column of a database table, as a database source's discovery reports it.
public struct DiscoveredColumn: Sendable, Equatable {
    public var name: String
    /// The database's name for its type (`timestamp with time zone`, `INTEGER`).
    public var type: String
    public var nullable: Bool

    public init(name: String, type: String, nullable: Bool) {
        self.name = name
        self.type = type
        self.nullable = nullable
    }
}
