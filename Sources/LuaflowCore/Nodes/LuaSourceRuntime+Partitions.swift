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
        let walk = PartitionWalk(declared: declared, stored: startPoint.partitions, resuming: startPoint.resumingPartitions)
        self.walk = walk
        done = walk.finished
    }

    /// Points the next `get()` call at partition `index`: its pagination, a `state` holding the
    /// partition and its cursor, and the running maximum started at its committed cursor.
    func enterPartition(_ index: Int) throws {
        guard let partition = walk?.partitions[index] else { return }
        var fields = ["\"partition\":\(partition.partition)"]
        if let c = partition.runCursor { fields.append("\"cursor\":\(c)") }
        if let r = startPoint.lastRun { fields.append("\"last_run\":\"\(r)\"") }
        if let backfill { fields.append("\"backfill\":\(backfill.stateJSON)") }
        do {
            let next = try partition.pagination.map { try node.lua.decodeJSON(Array($0.utf8)) } ?? node.lua.newTable()
            let table = try node.lua.decodeJSON(Array("{\(fields.joined(separator: ","))}".utf8))
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
