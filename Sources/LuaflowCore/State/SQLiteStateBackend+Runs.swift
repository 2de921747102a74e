import GRDB

/// The pipeline's run (the last one, or the unfinished one the next resumes) and its history of attempts.
extension SQLiteStateBackend {
    public func lastRun() throws -> PipelineRun? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: """
                      SELECT run_id, owner, status, started_at, finished_at FROM run WHERE pipeline = ? ORDER BY started_at DESC LIMIT 1
                      """, arguments: [pipeline]),
                  let status = RunStatus(rawValue: row["status"]) else { return nil }
            return PipelineRun(id: row["run_id"], owner: row["owner"], status: status, startedAt: row["started_at"],
                               finishedAt: row["finished_at"])
        }
    }

    public func markRunning(id: String, startedAt: String, lease: Lease) throws {
        let pipeline = self.pipeline
        try write { db in
            try checkLease(lease, in: db)
            try db.execute(sql: """
                INSERT INTO run (pipeline, run_id, owner, status, started_at, finished_at) VALUES (?, ?, ?, 'running', ?, NULL)
                  ON CONFLICT (pipeline, run_id) DO UPDATE
                  SET owner = excluded.owner, status = 'running', started_at = excluded.started_at, finished_at = NULL
                """, arguments: [pipeline, id, lease.owner, startedAt])
            try db.execute(sql: "DELETE FROM run WHERE pipeline = ? AND run_id <> ?", arguments: [pipeline, id])
        }
    }

    public func markRun(id: String, _ status: RunStatus, lease: Lease) throws {
        let (now, pipeline) = (clock.timestamp(), self.pipeline)
        try write { db in
            try checkLease(lease, in: db)
            try Self.setStatus(status, of: id, owner: lease.owner, pipeline: pipeline, at: now, in: db)
        }
    }

    static func setStatus(_ status: RunStatus, of run: String, owner: String, pipeline: String, at now: String, in db: Database) throws {
        try db.execute(sql: "UPDATE run SET status = ?, finished_at = ?, owner = ? WHERE pipeline = ? AND run_id = ?",
                       arguments: [status.rawValue, now, owner, pipeline, run])
    }

    // MARK: History

    public func beginAttempt(runStartedAt: String, startedAt: String, resumedFrom: [String: String]) throws -> Int64 {
        let pipeline = self.pipeline
        return try write { db in
            try db.execute(sql: """
                INSERT INTO run_history (pipeline, run_started_at, started_at, outcome, resumed_from) VALUES (?, ?, ?, 'running', ?)
                """, arguments: [pipeline, runStartedAt, startedAt, Self.json(resumedFrom)])
            let id = db.lastInsertedRowID
            try db.execute(sql: """
                DELETE FROM run_history WHERE id IN
                  (SELECT id FROM run_history WHERE pipeline = ? ORDER BY id DESC LIMIT -1 OFFSET ?)
                """, arguments: [pipeline, RunRecord.kept])
            return id
        }
    }

    public func endAttempt(_ id: Int64, outcome: RunStatus, seconds: Double, nodes: [RunRecord.Node], requests: Int, retries: Int) throws {
        let now = clock.timestamp()
        try write { db in
            try db.execute(sql: """
                UPDATE run_history SET finished_at = ?, seconds = ?, outcome = ?, nodes = ?, requests = ?, retries = ? WHERE id = ?
                """, arguments: [now, seconds, outcome.rawValue, Self.json(nodes), requests, retries, id])
        }
    }

    public func history(limit: Int) throws -> [RunRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM run_history WHERE pipeline = ? ORDER BY id DESC LIMIT ?",
                             arguments: [pipeline, limit]).map { row in
                RunRecord(id: row["id"], runStartedAt: row["run_started_at"], startedAt: row["started_at"], finishedAt: row["finished_at"],
                          seconds: row["seconds"], outcome: row["outcome"],
                          resumedFrom: Self.decode([String: String].self, row["resumed_from"]) ?? [:],
                          nodes: Self.decode([RunRecord.Node].self, row["nodes"]) ?? [],
                          requests: row["requests"], retries: row["retries"])
            }
        }
    }
}
