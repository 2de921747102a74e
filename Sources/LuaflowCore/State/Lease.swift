/// A worker's claim on part of a pipeline's state (a scope: ``pipelineScope`` for a whole run) for
/// a time. Whoever holds the newest lease of a scope may write the state it covers: every commit
/// carries its lease, and the backend refuses it once a newer lease of the scope was issued (the
/// old one expired and another worker acquired it), so a worker that lost its lease cannot
/// overwrite what the new holder committed.
public struct Lease: Sendable, Equatable {
    /// The scope a run of the whole pipeline leases.
    public static let pipelineScope = "pipeline"

    public let scope: String
    /// The worker holding it (a run on one machine: the machine's name).
    public let owner: String
    /// The fencing token: larger than every token issued before for the scope.
    public let token: Int64
    /// When it lapses unless renewed, in milliseconds since the epoch (``WallClock``).
    public let expiresAt: Int64

    public init(scope: String, owner: String, token: Int64, expiresAt: Int64) {
        self.scope = scope
        self.owner = owner
        self.token = token
        self.expiresAt = expiresAt
    }
}
