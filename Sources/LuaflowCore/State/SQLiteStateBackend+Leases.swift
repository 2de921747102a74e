import GRDB

/// Leases of the pipeline's scopes, and the fencing check every fenced write makes in its transaction.
extension SQLiteStateBackend {
    public func acquireLease(scope: String, owner: String, ttl: Double) throws -> Lease? {
        let (now, pipeline) = (clock.milliseconds(), self.pipeline)
        return try write { db in
            let row = try Row.fetchOne(db, sql: "SELECT owner, token, expires_at FROM lease WHERE pipeline = ? AND scope = ?",
                                       arguments: [pipeline, scope])
            if let row, let holder: String = row["owner"], holder != owner, row["expires_at"] > now { return nil }
            let token = ((row?["token"] as Int64?) ?? 0) + 1
            let lease = Lease(scope: scope, owner: owner, token: token, expiresAt: now + Self.milliseconds(ttl))
            try db.execute(sql: "INSERT OR REPLACE INTO lease (pipeline, scope, owner, token, expires_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [pipeline, scope, owner, token, lease.expiresAt])
            return lease
        }
    }

    public func renewLease(_ lease: Lease, ttl: Double) throws -> Lease {
        let (now, pipeline) = (clock.milliseconds(), self.pipeline)
        return try write { db in
            try checkLease(lease, in: db)
            let renewed = Lease(scope: lease.scope, owner: lease.owner, token: lease.token, expiresAt: now + Self.milliseconds(ttl))
            try db.execute(sql: "UPDATE lease SET owner = ?, expires_at = ? WHERE pipeline = ? AND scope = ?",
                           arguments: [lease.owner, renewed.expiresAt, pipeline, lease.scope])
            return renewed
        }
    }

    public func releaseLease(_ lease: Lease) throws {
        let pipeline = self.pipeline
        try write { db in
            try db.execute(sql: "UPDATE lease SET owner = NULL, expires_at = 0 WHERE pipeline = ? AND scope = ? AND token = ?",
                           arguments: [pipeline, lease.scope, lease.token])
        }
    }

    /// Throws, so the transaction writes nothing, unless `lease` is the newest of its scope.
    func checkLease(_ lease: Lease, in db: Database) throws {
        // Once per commit: the token alone, through a cached statement.
        let token = try Int64.fetchOne(db.cachedStatement(sql: "SELECT token FROM lease WHERE pipeline = ? AND scope = ?"),
                                       arguments: [pipeline, lease.scope])
        guard token != lease.token else { return }
        let holder = try String.fetchOne(db, sql: "SELECT owner FROM lease WHERE pipeline = ? AND scope = ?", arguments: [pipeline, lease.scope])
        let why = token.map { "a newer lease (token \($0)) was issued\(holder.map { " to \($0)" } ?? "") after it" } ?? "the state holds no lease of it"
        throw PipelineError(.runtime, node: "state", phase: "state",
                            "pipeline '\(pipeline)' in \(path): the lease of \(lease.owner) (\(lease.scope), token \(lease.token)) is stale: "
                                + "\(why); nothing was written")
    }

    private static func milliseconds(_ seconds: Double) -> Int64 {
        Int64((seconds * 1000).rounded())
    }
}
