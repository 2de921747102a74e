import GRDB

/// Streams, their partitions and the sinks' tokens: read, committed, forgotten.
extension SQLiteStateBackend {
    public func streams() throws -> [StreamState] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM stream WHERE pipeline = ? ORDER BY node, stream", arguments: [pipeline])
                .map { try Self.stream($0, db) }
        }
    }

    public func stream(node: String, stream: String) throws -> StreamState? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM stream WHERE pipeline = ? AND node = ? AND stream = ?",
                             arguments: [pipeline, node, stream])
                .map { try Self.stream($0, db) }
        }
    }

    public func sinkTokens() throws -> [SinkToken] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM sink_token WHERE pipeline = ? ORDER BY node", arguments: [pipeline]).map(Self.sinkToken)
        }
    }

    public func sinkToken(node: String) throws -> SinkToken? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM sink_token WHERE pipeline = ? AND node = ?", arguments: [pipeline, node])
                .map(Self.sinkToken)
        }
    }

    public func commit(_ commit: StateCommit, lease: Lease) throws {
        let (now, pipeline) = (clock.timestamp(), self.pipeline)
        try write { db in
            // Cached statements: a run commits once per page, and parsing the SQL each time showed in profiles.
            // A stream is written only with the newest lease, checked in the same statement: a query of
            // its own made a checkpoint without partitions 13% slower.
            if commit.streams.isEmpty { try checkLease(lease, in: db) }
            for update in commit.streams {
                let s = update.stream
                try db.cachedStatement(sql: """
                    INSERT OR REPLACE INTO stream (pipeline, node, stream, pagination, skip, exhausted, run_cursor, cursor, records,
                                                   last_run, updated_at)
                    SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE (SELECT token FROM lease WHERE pipeline = ? AND scope = ?) = ?
                    """).execute(arguments: [pipeline, s.node, s.stream, s.pagination, s.skip, s.exhausted, s.runCursor, s.cursor, s.records,
                                             s.lastRun, now, pipeline, lease.scope, lease.token])
                if db.changesCount == 0 { try checkLease(lease, in: db) }
                try Self.write(partitionsOf: update, pipeline: pipeline, in: db)
            }
            if commit.clearSinks { try db.execute(sql: "DELETE FROM sink_token WHERE pipeline = ?", arguments: [pipeline]) }
            for s in commit.sinks {
                try db.cachedStatement(sql: "INSERT OR REPLACE INTO sink_token (pipeline, node, records, data) VALUES (?, ?, ?, ?)")
                    .execute(arguments: [pipeline, s.node, s.records, s.data])
            }
            if let run = commit.run {
                try Self.setStatus(run.status, of: run.id, owner: lease.owner, pipeline: pipeline, at: now, in: db)
            }
        }
    }

    public func reset(node: String?, lease: Lease) throws {
        let pipeline = self.pipeline
        try write { db in
            try checkLease(lease, in: db)
            if let node {
                for table in ["stream", "stream_partition", "sink_token"] {
                    try db.execute(sql: "DELETE FROM \(table) WHERE pipeline = ? AND node = ?", arguments: [pipeline, node])
                }
            } else {
                for table in ["stream", "stream_partition", "sink_token", "run"] {
                    try db.execute(sql: "DELETE FROM \(table) WHERE pipeline = ?", arguments: [pipeline])
                }
            }
        }
    }

    private static func stream(_ row: Row, _ db: Database) throws -> StreamState {
        let partitions = try Row.fetchAll(db, sql: """
            SELECT * FROM stream_partition WHERE pipeline = ? AND node = ? AND stream = ? ORDER BY ordinal
            """, arguments: [row["pipeline"], row["node"], row["stream"]]).map { p in
            PartitionState(key: p["key"], partition: p["partition_json"], pagination: p["pagination"], exhausted: p["exhausted"],
                           runCursor: p["run_cursor"], cursor: p["cursor"], records: p["records"])
        }
        return StreamState(node: row["node"], stream: row["stream"], pagination: row["pagination"], skip: row["skip"],
                           exhausted: row["exhausted"], runCursor: row["run_cursor"], cursor: row["cursor"], records: row["records"],
                           lastRun: row["last_run"], updatedAt: row["updated_at"], partitions: partitions)
    }

    /// Upserts the partitions `update` changed, by key, and forgets those it removed.
    private static func write(partitionsOf update: StreamUpdate, pipeline: String, in db: Database) throws {
        let stream = update.stream
        for key in update.removedPartitions {
            try db.cachedStatement(sql: "DELETE FROM stream_partition WHERE pipeline = ? AND node = ? AND stream = ? AND key = ?")
                .execute(arguments: [pipeline, stream.node, stream.stream, key])
        }
        for p in update.partitions {
            try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO stream_partition (pipeline, node, stream, key, ordinal, partition_json, pagination, exhausted,
                                                         run_cursor, cursor, records)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [pipeline, stream.node, stream.stream, p.state.key, p.ordinal, p.state.partition, p.state.pagination,
                                         p.state.exhausted, p.state.runCursor, p.state.cursor, p.state.records])
        }
    }

    private static func sinkToken(_ row: Row) -> SinkToken {
        SinkToken(node: row["node"], records: row["records"], data: row["data"])
    }
}
