import Foundation

/// Counters of one node, updated by its stage thread and read by the summary.
public final class NodeStats: @unchecked Sendable {
    public let name: String
    public let role: NodeSpec.Role
    private let lock = NSLock()
    private var values = Snapshot()

    /// A consistent copy of the counters.
    public struct Snapshot: Sendable {
        public var recordsIn = 0
        public var recordsOut = 0
        public var dropped = 0
        public var errors = 0
        public var seconds = 0.0
        /// HTTP requests the node made, and how many of their attempts were retries.
        public var requests = 0
        public var retries = 0
        /// Records a source said it will produce (its `count()`, capped by limits), for progress.
        public var expected: Int?

        public init() {}
    }

    public init(name: String, role: NodeSpec.Role) {
        self.name = name
        self.role = role
    }

    public func update(_ body: (inout Snapshot) -> Void) {
        lock.withLock { body(&values) }
    }

    public var snapshot: Snapshot { lock.withLock { values } }
}
