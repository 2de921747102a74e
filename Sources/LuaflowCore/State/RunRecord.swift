/// One attempt of a run in the pipeline's history (`luaflow runs`): a resumed run adds an attempt
/// to the logical run it continues.
public struct RunRecord: Sendable, Equatable {
    /// Attempts the run history keeps per pipeline; older ones are dropped as new ones start.
    public static let kept = 200

    /// What one node did in the attempt.
    public struct Node: Sendable, Equatable, Codable {
        public var node: String
        public var kind: String
        public var recordsIn: Int
        public var recordsOut: Int
        public var errors: Int
        /// Records the attempt started from, committed by the earlier attempts it resumed.
        public var resumed: Int?

        public init(node: String, kind: String, recordsIn: Int, recordsOut: Int, errors: Int, resumed: Int?) {
            self.node = node
            self.kind = kind
            self.recordsIn = recordsIn
            self.recordsOut = recordsOut
            self.errors = errors
            self.resumed = resumed
        }

        enum CodingKeys: String, CodingKey {
            case node, kind, errors, resumed
            case recordsIn = "in"
            case recordsOut = "out"
        }
    }

    public var id: Int64
    /// ISO-8601 start of the logical run (the same for every attempt of a resumed run).
    public var runStartedAt: String
    /// ISO-8601 start of this attempt.
    public var startedAt: String
    public var finishedAt: String?
    public var seconds: Double?
    /// `running` while it lasts (or when it was killed), then `succeeded`, `failed` or `interrupted`.
    public var outcome: String
    /// Where the attempt resumed the unfinished run, per node ("record 40001", a pagination); empty for a fresh run.
    public var resumedFrom: [String: String]
    public var nodes: [Node]
    public var requests: Int
    public var retries: Int
}
