/// The partitions of a source walked one after another in declared order: where each starts
/// (from the store), which one is being read, and what a checkpoint records for each. Pure: the
/// runtime calls `get()` and reports what happened.
///
/// A resumed run skips the partitions the unfinished run finished and continues the one it was
/// in at its committed pagination; the others start from the beginning. Partitions are matched
/// to the store by key: a new one starts fresh, one no longer declared is not listed (so the
/// next commit forgets it).
struct PartitionWalk {
    /// Every declared partition; `runCursor` is the `state.cursor` it gets in this run, `cursor`
    /// the largest value committed, `records` the records over all runs.
    private(set) var partitions: [PartitionState]
    /// The partition being read (`partitions.count` once all are done).
    private(set) var current = 0

    /// `stored`: what the store holds for the stream; `resuming`: it belongs to an unfinished run.
    init(declared: [DeclaredPartition], stored: [PartitionState], resuming: Bool) {
        let byKey = Dictionary(stored.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        partitions = declared.map { partition in
            guard let old = byKey[partition.key] else { return PartitionState(key: partition.key, partition: partition.json) }
            if resuming {
                return PartitionState(key: partition.key, partition: partition.json, pagination: old.exhausted ? nil : old.pagination,
                                      exhausted: old.exhausted, runCursor: old.runCursor, cursor: old.cursor, records: old.records)
            }
            return PartitionState(key: partition.key, partition: partition.json, runCursor: old.cursor, cursor: old.cursor,
                                  records: old.records)
        }
        skipFinished()
    }

    /// Every partition is done.
    var finished: Bool { current >= partitions.count }

    /// The partition being read, if any is left.
    var currentPartition: PartitionState? { finished ? nil : partitions[current] }

    /// Up to `count` partitions read after the one at `index`, in order (those a resumed run
    /// finished are left out): what a source may start fetching ahead of time.
    func upcoming(after index: Int, count: Int) -> [PartitionState] {
        guard count > 0, index + 1 < partitions.count else { return [] }
        return Array(partitions[(index + 1)...].lazy.filter { !$0.exhausted }.prefix(count))
    }

    /// `count` records of partition `index` were sent.
    mutating func add(_ count: Int, to index: Int) {
        partitions[index].records += count
    }

    /// The current partition's next `get()` call receives `pagination`.
    mutating func advance(to pagination: String) {
        partitions[current].pagination = pagination
    }

    /// The current partition was read to its end with `cursor` the largest value seen; moves on.
    mutating func finishCurrent(cursor: String?) {
        partitions[current].exhausted = true
        partitions[current].pagination = nil
        if let cursor { partitions[current].cursor = cursor }
        skipFinished()
    }

    /// Each partition now, with `cursor` the running maximum of the partition at `active` (the
    /// one whose `get()` calls are under way).
    func snapshot(activeCursor cursor: String?, active: Int?) -> [PartitionState] {
        var list = partitions
        if let active, active < list.count, !list[active].exhausted, let cursor { list[active].cursor = cursor }
        return list
    }

    private mutating func skipFinished() {
        while current < partitions.count && partitions[current].exhausted { current += 1 }
    }
}
