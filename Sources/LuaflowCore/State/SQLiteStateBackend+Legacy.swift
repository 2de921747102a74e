import GRDB

/// State kept before pipelines had names: a store from an earlier release keyed its rows by node
/// alone, one state per directory. Its migration keeps those rows under the empty pipeline name,
/// and the first pipeline of the directory opened with ``open(path:for:)`` adopts them, so an
/// upgrade neither reloads everything nor loses a cursor.
extension SQLiteStateBackend {
    /// Opens the file at `path` for the pipeline `spec` declares, adopting the state an earlier
    /// release kept for its nodes. Logs what it adopted.
    public static func open(path: String, for spec: PipelineSpec, clock: WallClock = .system) throws -> SQLiteStateBackend {
        let store = try SQLiteStateBackend(path: path, pipeline: spec.name, clock: clock)
        let adopted = try store.adoptUnnamedState(nodes: spec.nodes.map { ($0.name, $0.formerName) })
        if !adopted.isEmpty {
            PipelineLog.logger.info("\(path): the state kept before pipelines had names now belongs to pipeline '\(spec.name)': \(adopted.joined(separator: ", "))")
        }
        return store
    }

    /// Moves the unnamed rows of `nodes` (each kept under the name an earlier release gave it:
    /// `formerName`, else its name) to this pipeline, if it has no run or state of its own yet; returns the nodes adopted.
    /// The last run and the run history come along; an unfinished run only when every sink
    /// token it left is one of these nodes' (it was this pipeline's run, and resumes). Once no
    /// node's state is left unnamed, the unnamed run and history are dropped.
    func adoptUnnamedState(nodes: [(name: String, formerName: String?)]) throws -> [String] {
        let pipeline = self.pipeline
        var adopted: [String] = []
        try write { db in
            let own = try Int.fetchOne(db, sql: "SELECT (SELECT count(*) FROM run WHERE pipeline = ?) + (SELECT count(*) FROM stream WHERE pipeline = ?)",
                                       arguments: [pipeline, pipeline]) ?? 0
            guard own == 0 else { return }
            for node in nodes {
                // Earlier releases wrote every row under the node's name of their time.
                let former = node.formerName ?? node.name
                guard try Self.hasUnnamedRows(of: former, db) else { continue }
                for table in ["stream", "stream_partition", "sink_token"] {
                    try db.execute(sql: "UPDATE \(table) SET pipeline = ?, node = ? WHERE pipeline = '' AND node = ?",
                                   arguments: [pipeline, node.name, former])
                }
                adopted.append(former == node.name ? node.name : "\(node.name) (was \(former))")
            }
            guard !adopted.isEmpty else { return }
            let foreignTokens = try Int.fetchOne(db, sql: "SELECT count(*) FROM sink_token WHERE pipeline = ''") ?? 0
            if let status = try String.fetchOne(db, sql: "SELECT status FROM run WHERE pipeline = ''"),
               RunStatus(rawValue: status)?.isUnfinished != true || foreignTokens == 0 {
                try db.execute(sql: """
                    INSERT INTO run (pipeline, run_id, owner, status, started_at, finished_at)
                      SELECT ?, run_id, owner, status, started_at, finished_at FROM run WHERE pipeline = ''
                    """, arguments: [pipeline])
            }
            try db.execute(sql: """
                INSERT INTO run_history (pipeline, run_started_at, started_at, finished_at, seconds, outcome, resumed_from, nodes, requests, retries)
                  SELECT ?, run_started_at, started_at, finished_at, seconds, outcome, resumed_from, nodes, requests, retries
                  FROM run_history WHERE pipeline = '' ORDER BY id
                """, arguments: [pipeline])
            if try Int.fetchOne(db, sql: "SELECT (SELECT count(*) FROM stream WHERE pipeline = '') + (SELECT count(*) FROM sink_token WHERE pipeline = '')") == 0 {
                try db.execute(sql: "DELETE FROM run WHERE pipeline = ''; DELETE FROM run_history WHERE pipeline = '';")
            }
        }
        return adopted
    }

    private static func hasUnnamedRows(of node: String, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM stream WHERE pipeline = '' AND node = ?) OR EXISTS (SELECT 1 FROM sink_token WHERE pipeline = '' AND node = ?)
            """, arguments: [node, node]) ?? false
    }
}
