/// A logical run of a pipeline as the state keeps it: from its start until it succeeds, across
/// the attempts that resume it.
public struct PipelineRun: Sendable, Equatable {
    /// What identifies the run, and names it to its sinks (the database sinks'
    /// `_luaflow_loads.run`): ``id(pipeline:startedAt:)``.
    public var id: String
    /// The worker that started it, or last resumed or ended it.
    public var owner: String
    public var status: RunStatus
    /// ISO-8601 start of the run (of its first attempt).
    public var startedAt: String
    public var finishedAt: String?

    public init(id: String, owner: String, status: RunStatus, startedAt: String, finishedAt: String? = nil) {
        self.id = id
        self.owner = owner
        self.status = status
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    /// The id of the run of `pipeline` started at `startedAt`: two pipelines that load one table
    /// never share a run, even when they start in the same millisecond.
    public static func id(pipeline: String, startedAt: String) -> String {
        "\(pipeline)@\(startedAt)"
    }
}
