import Foundation
import LuaBridge

/// Counters of one node, updated by its stage thread and read by the summary.
public final class NodeStats: Sendable {
    public let name: String
    public let role: NodeSpec.Role
    /// Where `on_error = "dead_letter"` writes this node's failed records.
    let deadLetters: DeadLetterFile?
    /// What the node's script recorded with the Lua `metrics` module.
    public let scriptMetrics: ScriptMetrics
    private let values = Locked(Snapshot())

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
        /// HTTP requests that failed for good (after the HTTP layer's own retries).
        public var requestFailures = 0
        /// Failed records written to the dead-letter file (also counted in `errors`).
        public var deadLettered = 0
        /// Batches the node sent on (sources) or took from its input queue (transforms, sinks).
        public var batches = 0
        /// Records a source said it will produce (its `count()`, capped by limits), for progress.
        public var expected: Int?
        /// Bytes of its input a file source has read, and the input's size, for progress.
        public var bytesRead = 0
        public var bytesTotal: Int?
        /// Bytes a file sink wrote in this run.
        public var bytesWritten = 0
        /// The node's Lua state: bytes in use, and instructions run (in steps of 10,000).
        public var luaMemoryBytes = 0
        public var luaInstructions = 0

        public init() {}
    }

    public convenience init(name: String, role: NodeSpec.Role) {
        self.init(name: name, role: role, deadLetters: nil)
    }

    init(name: String, role: NodeSpec.Role, deadLetters: DeadLetterFile?) {
        self.name = name
        self.role = role
        self.deadLetters = deadLetters
        scriptMetrics = ScriptMetrics(node: name)
    }

    public func update(_ body: (inout Snapshot) -> Void) {
        values.withLock { body(&$0) }
    }

    /// Notes what `lua` holds and has run (on the state's owner thread).
    func sample(_ lua: LuaState) {
        let memory = lua.memoryInUse, instructions = lua.instructionsExecuted
        update {
            $0.luaMemoryBytes = memory
            $0.luaInstructions = instructions
        }
    }

    public var snapshot: Snapshot { values.withLock { $0 } }

    /// The node's input queue while a run is under way (nil for sources and between runs).
    public var inputQueue: (any QueueGauge)? {
        get { queue.withLock { $0 } }
        set { queue.withLock { $0 = newValue } }
    }
    private let queue = Locked<(any QueueGauge)?>(nil)
}
