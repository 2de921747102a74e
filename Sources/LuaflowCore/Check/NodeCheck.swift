/// The outcome of `luaflow check` for one node: no problems means ok.
public struct NodeCheck: Sendable {
    public var node: String
    public var role: NodeSpec.Role
    /// Each problem as `phase: message`, naming file:line and what was expected.
    public var problems: [String]

    public var ok: Bool { problems.isEmpty }
}
