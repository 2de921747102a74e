import Foundation
import GRDB

/// A pipeline's state in SQLite (`.luaflow/state.db` beside pipeline.lua by default): per source
/// and stream the resume point and incremental cursor (and the same per partition of a source
/// that declares `partitions()`), per sink the token of its last committed checkpoint, the run
/// history, and how the last run ended. Every commit is one transaction.
public final class StateStore: @unchecked Sendable {
    public let path: String
    private let db: DatabaseQueue

    /// Opens (creating if needed) the store at `path`.
    public init(path: String) throws {
        self.path = path
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
        return migrator
    }

    // MARK: Runs

    /// The last run's status and start time, if there was one.
    public func lastRun() throws -> (status: RunStatus, startedAt: String, finishedAt: String?)? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT status, started_at, finished_at FROM run").flatMap { row in
                RunStatus(rawValue: row["status"]).map { ($0, row["started_at"], row["finished_at"]) }
            }
        }
    }

    /// Records that a run started (or resumed) at `startedAt`.
    public func markRunning(startedAt: String) throws {
        try write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO run (id, status, started_at, finished_at) VALUES (1, 'running', ?, NULL)",
                           arguments: [startedAt])
        }
    }

    public func markRun(_ status: RunStatus) throws {
        try write { db in
            try db.execute(sql: "UPDATE run SET status = ?, finished_at = ? WHERE id = 1", arguments: [status.rawValue, Self.now()])
        }
    }

    // MARK: History

    /// Attempts kept in the history; older ones are dropped as new ones start.
    public static let historyLength = 200

    /// Adds a running attempt of the run started at `runStartedAt` to the history; returns its id.
    public func beginAttempt(runStartedAt: String, startedAt: String, resumedFrom: [String: String]) throws -> Int64 {
        var id: Int64 = 0
        try write { db in
            try db.execute(sql: "INSERT INTO run_history (run_started_at, started_at, outcome, resumed_from) VALUES (?, ?, 'running', ?)",
                           arguments: [runStartedAt, startedAt, Self.json(resumedFrom)])
            id = db.lastInsertedRowID
            try db.execute(sql: "DELETE FROM run_history WHERE id <= ?", arguments: [id - Int64(Self.historyLength)])
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
            try Row.fetchAll(db, sql: "SELECT * FROM run_history ORDER BY id DESC LIMIT ?", arguments: [limit]).map { row in
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
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM stream ORDER BY node, stream").map { try Self.stream($0, db) } }
    }

    public func stream(node: String, stream: String) throws -> StreamState? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM stream WHERE node = ? AND stream = ?", arguments: [node, stream])
                .map { try Self.stream($0, db) }
        }
    }

    /// The tokens of the sinks of an unfinished run.
    public func sinkTokens() throws -> [SinkToken] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM sink_token ORDER BY node").map(Self.sinkToken) }
    }

    public func sinkToken(node: String) throws -> SinkToken? {
        try read { db in try Row.fetchOne(db, sql: "SELECT * FROM sink_token WHERE node = ?", arguments: [node]).map(Self.sinkToken) }
    }

    /// Commits streams and sinks together: a checkpoint, or the end of a run (`status`).
    public func commit(streams: [StreamState], sinks: [SinkToken], clearSinks: Bool = false, status: RunStatus? = nil) throws {
        let now = Self.now()
        try write { db in
            for s in streams {
                // Cached statements: a run commits once per page, and parsing the SQL each time showed in profiles.
                try db.cachedStatement(sql: """
                    INSERT OR REPLACE INTO stream (node, stream, pagination, skip, exhausted, run_cursor, cursor, records, last_run, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """).execute(arguments: [s.node, s.stream, s.pagination, s.skip, s.exhausted, s.runCursor, s.cursor, s.records, s.lastRun, now])
                try Self.replacePartitions(of: s, in: db)
            }
            if clearSinks { try db.execute(sql: "DELETE FROM sink_token") }
            for s in sinks {
                try db.cachedStatement(sql: "INSERT OR REPLACE INTO sink_token (node, records, data) VALUES (?, ?, ?)")
                    .execute(arguments: [s.node, s.records, s.data])
            }
            if let status {
                try db.execute(sql: "UPDATE run SET status = ?, finished_at = ? WHERE id = 1", arguments: [status.rawValue, now])
            }
        }
    }

    /// Forgets everything (`--full-refresh`, `state reset`), or only what belongs to `node`.
    public func reset(node: String? = nil) throws {
        try write { db in
            if let node {
                try db.execute(sql: "DELETE FROM stream WHERE node = ?", arguments: [node])
                try db.execute(sql: "DELETE FROM stream_partition WHERE node = ?", arguments: [node])
                try db.execute(sql: "DELETE FROM sink_token WHERE node = ?", arguments: [node])
            } else {
                try db.execute(sql: "DELETE FROM stream; DELETE FROM stream_partition; DELETE FROM sink_token; DELETE FROM run;")
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
        let partitions = try Row.fetchAll(db, sql: "SELECT * FROM stream_partition WHERE node = ? AND stream = ? ORDER BY ordinal",
                                          arguments: [row["node"], row["stream"]]).map { p in
            PartitionState(key: p["key"], partition: p["partition_json"], pagination: p["pagination"], exhausted: p["exhausted"],
                           runCursor: p["run_cursor"], cursor: p["cursor"], records: p["records"])
        }
        return StreamState(node: row["node"], stream: row["stream"], pagination: row["pagination"], skip: row["skip"],
                           exhausted: row["exhausted"], runCursor: row["run_cursor"], cursor: row["cursor"], records: row["records"],
                           lastRun: row["last_run"], updatedAt: row["updated_at"], partitions: partitions)
    }

    /// The store keeps exactly the partitions `stream` lists: one it no longer lists is forgotten.
    private static func replacePartitions(of stream: StreamState, in db: Database) throws {
        try db.cachedStatement(sql: "DELETE FROM stream_partition WHERE node = ? AND stream = ?").execute(arguments: [stream.node, stream.stream])
        for (ordinal, p) in stream.partitions.enumerated() {
            try db.cachedStatement(sql: """
                INSERT INTO stream_partition (node, stream, key, ordinal, partition_json, pagination, exhausted, run_cursor, cursor, records)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [stream.node, stream.stream, p.key, ordinal, p.partition, p.pagination, p.exhausted, p.runCursor,
                                 p.cursor, p.records])
        }
    }

    private static func sinkToken(_ row: Row) -> SinkToken {
        SinkToken(node: row["node"], records: row["records"], data: row["data"])
    }

    private func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try db.read(body) } catch { throw storeError(error) }
    }

    private func write(_ body: (Database) throws -> Void) throws {
        do { try db.write(body) } catch { throw storeError(error) }
    }

    private func storeError(_ error: Error) -> PipelineError {
        PipelineError(.runtime, node: "state", phase: "state", "state store \(path): \(error)")
    }
}
