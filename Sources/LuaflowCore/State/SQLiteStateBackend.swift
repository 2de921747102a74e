import Foundation
import GRDB

/// A pipeline's state in SQLite (`.luaflow/state.db` beside pipeline.lua by default): per source
/// and stream the resume point and incremental cursor (and the same per partition of a source
/// that declares `partitions()`), per sink the token of its last committed checkpoint, the run
/// history, and how the last run ended. Every commit is one transaction.
///
/// One store may hold several pipelines (every pipeline of a directory shares its
/// `.luaflow/state.db`): each row is keyed by the pipeline's name, and a `StateStore` reads and
/// writes only the rows of the pipeline it was opened for.
public final class StateStore: @unchecked Sendable {
    public let path: String
    /// The name of the pipeline whose state this instance reads and writes.
    public let pipeline: String
    private let db: DatabaseQueue

    /// Opens (creating if needed, migrating an older schema) the store at `path`, for the
    /// pipeline named `pipeline`.
    public init(path: String, pipeline: String) throws {
        self.path = path
        self.pipeline = pipeline
        do {
            try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path,
                                                    withIntermediateDirectories: true)
            var configuration = Configuration()
            // WAL with synchronous = NORMAL survives a killed process; after a power loss the
            // store may lag the outputs, which only means re-reading since an older checkpoint.
            configuration.busyMode = .timeout(10)
            configuration.prepareDatabase { db in
                // WAL is kept in the file; switching needs the only connection, so only the first open does it.
                if try String.fetchOne(db, sql: "PRAGMA journal_mode") != "wal" {
                    try db.execute(sql: "PRAGMA journal_mode = WAL")
                }
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            db = try DatabaseQueue(path: path, configuration: configuration)
            try Self.migrator.migrate(db)
        } catch {
            throw PipelineError(.runtime, node: "state", phase: "state", "cannot open the state store \(path): \(error)")
        }
    }

    /// The default store of a pipeline: `.luaflow/state.db` in its directory.
    public static func defaultPath(forPipelineIn directory: String) -> String {
        directory + "/.luaflow/state.db"
    }

    /// The lock a run of `pipeline` holds on the store at `path` (``StateLock``): runs of one
    /// pipeline exclude each other; other pipelines of the directory may run meanwhile.
    public static func lockPath(store path: String, pipeline: String) -> String {
        path + "." + pipeline + ".lock"
    }

    /// Whether a run of this store's pipeline is going on now.
    public var isRunning: Bool { StateLock.isHeld(path: Self.lockPath(store: path, pipeline: pipeline)) }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE run (id INTEGER PRIMARY KEY CHECK (id = 1), status TEXT NOT NULL, started_at TEXT NOT NULL,
                                  finished_at TEXT);
                CREATE TABLE stream (node TEXT NOT NULL, stream TEXT NOT NULL, pagination TEXT, skip INTEGER NOT NULL DEFAULT 0,
                                     run_cursor TEXT, cursor TEXT, records INTEGER NOT NULL DEFAULT 0, last_run TEXT,
                                     updated_at TEXT, PRIMARY KEY (node, stream));
                CREATE TABLE sink (node TEXT PRIMARY KEY, path TEXT NOT NULL, length INTEGER NOT NULL, records INTEGER NOT NULL,
                                   columns TEXT);
                """)
        }
        migrator.registerMigration("v2") { db in
            try db.execute(sql: "ALTER TABLE stream ADD COLUMN exhausted INTEGER NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("v3-sink-token") { db in
            // A sink's progress becomes an opaque token; a file sink's keeps its path, length and columns.
            try db.execute(sql: """
                CREATE TABLE sink_token (node TEXT PRIMARY KEY, records INTEGER NOT NULL, data TEXT);
                INSERT INTO sink_token (node, records, data)
                  SELECT node, records, CASE WHEN path = '' THEN NULL
                    ELSE json_object('path', path, 'length', length, 'columns', json(columns)) END FROM sink;
                DROP TABLE sink;
                """)
        }
        migrator.registerMigration("v4-partitions") { db in
            try db.execute(sql: """
                CREATE TABLE stream_partition (node TEXT NOT NULL, stream TEXT NOT NULL, key TEXT NOT NULL, ordinal INTEGER NOT NULL,
                                               partition_json TEXT NOT NULL, pagination TEXT, exhausted INTEGER NOT NULL DEFAULT 0,
                                               run_cursor TEXT, cursor TEXT, records INTEGER NOT NULL DEFAULT 0,
                                               PRIMARY KEY (node, stream, key));
                """)
        }
        migrator.registerMigration("v5-run-history") { db in
            try db.execute(sql: """
                CREATE TABLE run_history (id INTEGER PRIMARY KEY AUTOINCREMENT, run_started_at TEXT NOT NULL,
                                          started_at TEXT NOT NULL, finished_at TEXT, seconds REAL, outcome TEXT NOT NULL,
                                          resumed_from TEXT NOT NULL DEFAULT '{}', nodes TEXT NOT NULL DEFAULT '[]',
                                          requests INTEGER NOT NULL DEFAULT 0, retries INTEGER NOT NULL DEFAULT 0);
                """)
        }
        migrator.registerMigration("v6-pipelines") { db in
            // Every row is keyed by its pipeline. The rows from before are nobody's ('') until a
            // pipeline of the directory adopts them (StateStore+Legacy).
            try db.execute(sql: """
                CREATE TABLE run_v6 (pipeline TEXT PRIMARY KEY, status TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT,
                                     run_key TEXT);
                INSERT INTO run_v6 (pipeline, status, started_at, finished_at, run_key)
                  SELECT '', status, started_at, finished_at, started_at FROM run;
                DROP TABLE run;
                ALTER TABLE run_v6 RENAME TO run;
                CREATE TABLE stream_v6 (pipeline TEXT NOT NULL, node TEXT NOT NULL, stream TEXT NOT NULL, pagination TEXT,
                                        skip INTEGER NOT NULL DEFAULT 0, run_cursor TEXT, cursor TEXT,
                                        records INTEGER NOT NULL DEFAULT 0, last_run TEXT, updated_at TEXT,
                                        exhausted INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (pipeline, node, stream));
                INSERT INTO stream_v6 (pipeline, node, stream, pagination, skip, run_cursor, cursor, records, last_run, updated_at, exhausted)
                  SELECT '', node, stream, pagination, skip, run_cursor, cursor, records, last_run, updated_at, exhausted FROM stream;
                DROP TABLE stream;
                ALTER TABLE stream_v6 RENAME TO stream;
                CREATE TABLE stream_partition_v6 (pipeline TEXT NOT NULL, node TEXT NOT NULL, stream TEXT NOT NULL, key TEXT NOT NULL,
                                                  ordinal INTEGER NOT NULL, partition_json TEXT NOT NULL, pagination TEXT,
                                                  exhausted INTEGER NOT NULL DEFAULT 0, run_cursor TEXT, cursor TEXT,
                                                  records INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (pipeline, node, stream, key));
                INSERT INTO stream_partition_v6 SELECT '', * FROM stream_partition;
                DROP TABLE stream_partition;
                ALTER TABLE stream_partition_v6 RENAME TO stream_partition;
                CREATE TABLE sink_token_v6 (pipeline TEXT NOT NULL, node TEXT NOT NULL, records INTEGER NOT NULL, data TEXT,
                                            PRIMARY KEY (pipeline, node));
                INSERT INTO sink_token_v6 (pipeline, node, records, data) SELECT '', node, records, data FROM sink_token;
                DROP TABLE sink_token;
                ALTER TABLE sink_token_v6 RENAME TO sink_token;
                ALTER TABLE run_history ADD COLUMN pipeline TEXT NOT NULL DEFAULT '';
                CREATE INDEX run_history_pipeline ON run_history (pipeline, id);
                """)
        }
        return migrator
    }

    // MARK: Runs

    /// The last run's status and start time, if there was one. `runKey` names the logical run to
    /// its sinks (the database sinks' `_luaflow_loads.run`): the pipeline's name and the start time.
    public func lastRun() throws -> (status: RunStatus, startedAt: String, finishedAt: String?, runKey: String)? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT status, started_at, finished_at, run_key FROM run WHERE pipeline = ?",
                                             arguments: [pipeline]),
                  let status = RunStatus(rawValue: row["status"]) else { return nil }
            let startedAt: String = row["started_at"]
            let runKey: String? = row["run_key"]
            return (status, startedAt, row["finished_at"], runKey ?? Self.runKey(pipeline: pipeline, startedAt: startedAt))
        }
    }

    /// How sinks name the run of `pipeline` started at `startedAt`: two pipelines that load one
    /// table never share a run, even when they start in the same millisecond.
    public static func runKey(pipeline: String, startedAt: String) -> String {
        "\(pipeline)@\(startedAt)"
    }

    /// Records that a run started (or resumed) at `startedAt`, named `runKey` to its sinks.
    public func markRunning(startedAt: String, runKey: String) throws {
        try write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO run (pipeline, status, started_at, finished_at, run_key) VALUES (?, 'running', ?, NULL, ?)
                """, arguments: [pipeline, startedAt, runKey])
        }
    }

    public func markRun(_ status: RunStatus) throws {
        try write { db in
            try db.execute(sql: "UPDATE run SET status = ?, finished_at = ? WHERE pipeline = ?",
                           arguments: [status.rawValue, Self.now(), pipeline])
        }
    }

    /// The names of the pipelines the store holds a run, a state or a history of, sorted.
    public func pipelines() throws -> [String] {
        try read { db in
            try String.fetchAll(db, sql: """
                SELECT pipeline FROM run UNION SELECT pipeline FROM stream UNION SELECT pipeline FROM sink_token
                UNION SELECT pipeline FROM run_history ORDER BY 1
                """).filter { !$0.isEmpty }
        }
    }

    // MARK: History

    /// Attempts kept in the history; older ones are dropped as new ones start.
    public static let historyLength = 200

    /// Adds a running attempt of the run started at `runStartedAt` to the history; returns its id.
    public func beginAttempt(runStartedAt: String, startedAt: String, resumedFrom: [String: String]) throws -> Int64 {
        var id: Int64 = 0
        try write { db in
            try db.execute(sql: """
                INSERT INTO run_history (pipeline, run_started_at, started_at, outcome, resumed_from) VALUES (?, ?, ?, 'running', ?)
                """, arguments: [pipeline, runStartedAt, startedAt, Self.json(resumedFrom)])
            id = db.lastInsertedRowID
            try db.execute(sql: """
                DELETE FROM run_history WHERE id IN
                  (SELECT id FROM run_history WHERE pipeline = ? ORDER BY id DESC LIMIT -1 OFFSET ?)
                """, arguments: [pipeline, Self.historyLength])
        }
        return id
    }

    /// Records how attempt `id` ended.
    public func endAttempt(_ id: Int64, outcome: RunStatus, seconds: Double, nodes: [RunRecord.Node], requests: Int, retries: Int) throws {
        try write { db in
            try db.execute(sql: """
                UPDATE run_history SET finished_at = ?, seconds = ?, outcome = ?, nodes = ?, requests = ?, retries = ? WHERE id = ?
                """, arguments: [Self.now(), seconds, outcome.rawValue, Self.json(nodes), requests, retries, id])
        }
    }

    /// The last `limit` attempts, newest first.
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

    private static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ text: String) -> T? {
        try? JSONDecoder().decode(type, from: Data(text.utf8))
    }

    // MARK: Streams and sinks

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

    /// The tokens of the sinks of an unfinished run.
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

    /// Commits streams and sinks together: a checkpoint, or the end of a run (`status`).
    public func commit(streams: [StreamState], sinks: [SinkToken], clearSinks: Bool = false, status: RunStatus? = nil) throws {
        let (now, pipeline) = (Self.now(), self.pipeline)
        try write { db in
            for s in streams {
                // Cached statements: a run commits once per page, and parsing the SQL each time showed in profiles.
                try db.cachedStatement(sql: """
                    INSERT OR REPLACE INTO stream (pipeline, node, stream, pagination, skip, exhausted, run_cursor, cursor, records,
                                                   last_run, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """).execute(arguments: [pipeline, s.node, s.stream, s.pagination, s.skip, s.exhausted, s.runCursor, s.cursor, s.records, s.lastRun, now])
                try Self.replacePartitions(of: s, pipeline: pipeline, in: db)
            }
            if clearSinks { try db.execute(sql: "DELETE FROM sink_token WHERE pipeline = ?", arguments: [pipeline]) }
            for s in sinks {
                try db.cachedStatement(sql: "INSERT OR REPLACE INTO sink_token (pipeline, node, records, data) VALUES (?, ?, ?, ?)")
                    .execute(arguments: [pipeline, s.node, s.records, s.data])
            }
            if let status {
                try db.execute(sql: "UPDATE run SET status = ?, finished_at = ? WHERE pipeline = ?", arguments: [status.rawValue, now, pipeline])
            }
        }
    }

    /// Forgets everything of the pipeline (`--full-refresh`, `state reset`) but its run history,
    /// or only what belongs to `node`. Other pipelines' state stays.
    public func reset(node: String? = nil) throws {
        let pipeline = self.pipeline
        try write { db in
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

    // MARK: Plumbing

    /// Current UTC time as ISO-8601 with milliseconds.
    /// Formatted by hand: a formatter per call costs more than the commit it stamps (ICU).
    public static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = spec.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func padded(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(padded(parts.tm_year + 1900, 4))-\(padded(parts.tm_mon + 1, 2))-\(padded(parts.tm_mday, 2))T" +
            "\(padded(parts.tm_hour, 2)):\(padded(parts.tm_min, 2)):\(padded(parts.tm_sec, 2)).\(padded(Int32(spec.tv_nsec / 1_000_000), 3))Z"
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

    /// The store keeps exactly the partitions `stream` lists: one it no longer lists is forgotten.
    private static func replacePartitions(of stream: StreamState, pipeline: String, in db: Database) throws {
        try db.cachedStatement(sql: "DELETE FROM stream_partition WHERE pipeline = ? AND node = ? AND stream = ?")
            .execute(arguments: [pipeline, stream.node, stream.stream])
        for (ordinal, p) in stream.partitions.enumerated() {
            try db.cachedStatement(sql: """
                INSERT INTO stream_partition (pipeline, node, stream, key, ordinal, partition_json, pagination, exhausted, run_cursor,
                                              cursor, records)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [pipeline, stream.node, stream.stream, p.key, ordinal, p.partition, p.pagination, p.exhausted, p.runCursor,
                                 p.cursor, p.records])
        }
    }

    private static func sinkToken(_ row: Row) -> SinkToken {
        SinkToken(node: row["node"], records: row["records"], data: row["data"])
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try db.read(body) } catch { throw storeError(error) }
    }

    func write(_ body: (Database) throws -> Void) throws {
        do { try db.write(body) } catch { throw storeError(error) }
    }

    private func storeError(_ error: Error) -> PipelineError {
        PipelineError(.runtime, node: "state", phase: "state", "state store \(path): \(error)")
    }
}
