/// The outcome of `luaflow check` for one node: no problems means ok.
public struct NodeCheck: Sendable {
    public var node: String
    public var role: NodeSpec.Role
    /// Each problem as `phase: message`, naming file:line and what was expected.
    public var problems: [String]
    /// What the node's own check found when it had no problem ("PostgreSQL 15.4, ...").
    public var notes: [String] = []

    public var ok: Bool { problems.isEmpty }
}
