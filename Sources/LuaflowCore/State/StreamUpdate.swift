/// What one commit writes for a stream: its row, and only the partitions that changed since the
/// stream's previous commit, so that a checkpoint costs the partitions it moved, not all of them.
public struct StreamUpdate: Sendable, Equatable {
    /// A partition written by the commit, with its place in the declared order.
    public struct Partition: Sendable, Equatable {
        public var ordinal: Int
        public var state: PartitionState

        public init(ordinal: Int, state: PartitionState) {
            self.ordinal = ordinal
            self.state = state
        }
    }

    /// The stream's row; its `partitions` are not read (``partitions`` and ``removedPartitions`` are).
    public var stream: StreamState
    /// The partitions written, each upserted by its key; the others stay as they are.
    public var partitions: [Partition]
    /// Keys of partitions the stream no longer declares: forgotten.
    public var removedPartitions: [String]

    public init(stream: StreamState, partitions: [Partition], removedPartitions: [String] = []) {
        self.stream = stream
        self.partitions = partitions
        self.removedPartitions = removedPartitions
    }

    /// What turns `previous` (the stream as the state holds it; nil: nothing yet) into `current`:
    /// the partitions that are new, changed or moved in the declared order, and those no longer listed.
    public init(from previous: StreamState?, to current: StreamState) {
        let old = previous?.partitions ?? []
        var changed: [Partition] = []
        for (ordinal, partition) in current.partitions.enumerated()
        where ordinal >= old.count || old[ordinal] != partition {
            changed.append(Partition(ordinal: ordinal, state: partition))
        }
        var removed: [String] = []
        if !old.isEmpty {
            let kept = Set(current.partitions.map(\.key))
            removed = old.map(\.key).filter { !kept.contains($0) }
        }
        self.init(stream: current, partitions: changed, removedPartitions: removed)
    }
}
