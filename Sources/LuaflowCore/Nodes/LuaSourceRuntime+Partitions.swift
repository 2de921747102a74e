import LuaBridge

extension LuaSourceRuntime {
    /// Calls `partitions()`, if the script declares it (after `init()`), and lines its partitions
    /// up with what the store holds.
    func openPartitions() throws {
        guard let function = partitionsFunction else { return }
        let declared: [DeclaredPartition]
        do {
            let list = try node.lua.callReturningRef(function, refArgs: [])
            defer { node.lua.release(list) }
            guard node.lua.typeName(list) == "table" else {
                throw PipelineError(.runtime, node: node.spec.name, phase: "partitions",
                                    "partitions() must return a list of tables, one per partition, got a \(node.lua.typeName(list))")
            }
            declared = try DeclaredPartition.parse(try node.lua.encodeJSON(list))
        } catch let error as LuaError {
            throw PipelineError(node.spec, phase: "partitions", lua: error)
        } catch let error as PartitionError {
            throw PipelineError(.runtime, node: node.spec.name, phase: "partitions", error.description)
        }
        switch node.lua.field(node.env, "partitions_ahead") {
        case .nil: partitionsAhead = 0
        case .integer(let n) where n >= 0: partitionsAhead = Int(n)
        case let other:
            throw PipelineError(.config, node: node.spec.name, phase: "partitions",
                                "\(node.displayPath): partitions_ahead must be an integer of at least 0 (how many partitions after the current one get() sees in state.upcoming), got \(other)")
        }
        let walk = PartitionWalk(declared: declared, stored: startPoint.partitions, resuming: startPoint.resumingPartitions)
        self.walk = walk
        done = walk.finished
    }

    /// Points the next `get()` call at partition `index`: its pagination, a `state` holding the
    /// partition and its cursor, and the running maximum started at its committed cursor. With
    /// `partitions_ahead = N`, `state.upcoming` lists the next N partitions as
    /// `{ pagination = ..., state = ... }`, what `get()` will receive for each, so the script can
    /// start fetching them; the walk and its checkpoints do not change.
    func enterPartition(_ index: Int) throws {
        guard let walk else { return }
        let partition = walk.partitions[index]
        let ahead = walk.upcoming(after: index, count: partitionsAhead).map { next in
            "{\"pagination\":\(next.pagination ?? "{}"),\"state\":\(stateJSON(of: next))}"
        }
        let stateText = ahead.isEmpty ? stateJSON(of: partition)
            : String(stateJSON(of: partition).dropLast()) + ",\"upcoming\":[\(ahead.joined(separator: ","))]}"
        do {
            let next = try partition.pagination.map { try node.lua.decodeJSON(Array($0.utf8)) } ?? node.lua.newTable()
            let table = try node.lua.decodeJSON(Array(stateText.utf8))
            try cursor?.start(at: partition.cursor)
            for old in [pagination, state].compactMap({ $0 }) { node.lua.release(old) }
            (pagination, state) = (next, table)
        } catch let error as LuaError {
            throw PipelineError(node.spec, phase: "state", lua: error)
        }
        lastPagination = partition.pagination.map { Array($0.utf8) }
        seenPaginations = PaginationDigests()
        if let lastPagination { seenPaginations.insert(lastPagination) }
        activePartition = index
    }

    /// The `state` JSON `get()` receives in `partition`: the partition, its cursor, the last run
    /// and the backfill range.
    private func stateJSON(of partition: PartitionState) -> String {
        var fields = ["\"partition\":\(partition.partition)"]
        if let c = partition.runCursor { fields.append("\"cursor\":\(c)") }
        if let r = startPoint.lastRun { fields.append("\"last_run\":\"\(r)\"") }
        if let backfill { fields.append("\"backfill\":\(backfill.stateJSON)") }
        return "{\(fields.joined(separator: ","))}"
    }

    /// `get()` returned no next pagination: the source is done, or (with partitions) the current
    /// partition is, and the source is done once every partition is.
    func partitionEnded() throws {
        guard walk != nil else {
            done = true
            return
        }
        let max: String?
        do { max = try cursor?.maximum() } catch let error as LuaError {
            throw PipelineError(node.spec, phase: "state", lua: error)
        }
        walk!.finishCurrent(cursor: max)
        done = walk!.finished
    }
}
