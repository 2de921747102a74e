import Foundation
import GRDB
import Testing
import TestSupport

/// A state file an earlier release wrote opens with its state intact.
@Suite struct StateMigrationTests {
    /// A store as release state v6 left it: keyed by pipeline, one run row per pipeline.
    static func v6Store(at path: String, rows: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                INSERT INTO grdb_migrations VALUES ('v1'), ('v2'), ('v3-sink-token'), ('v4-partitions'), ('v5-run-history'), ('v6-pipelines');
                CREATE TABLE run (pipeline TEXT PRIMARY KEY, status TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT, run_key TEXT);
                CREATE TABLE stream (pipeline TEXT NOT NULL, node TEXT NOT NULL, stream TEXT NOT NULL, pagination TEXT,
                                     skip INTEGER NOT NULL DEFAULT 0, run_cursor TEXT, cursor TEXT, records INTEGER NOT NULL DEFAULT 0,
                                     last_run TEXT, updated_at TEXT, exhausted INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (pipeline, node, stream));
                CREATE TABLE stream_partition (pipeline TEXT NOT NULL, node TEXT NOT NULL, stream TEXT NOT NULL, key TEXT NOT NULL,
                                               ordinal INTEGER NOT NULL, partition_json TEXT NOT NULL, pagination TEXT,
                                               exhausted INTEGER NOT NULL DEFAULT 0, run_cursor TEXT, cursor TEXT,
                                               records INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (pipeline, node, stream, key));
                CREATE TABLE sink_token (pipeline TEXT NOT NULL, node TEXT NOT NULL, records INTEGER NOT NULL, data TEXT,
                                         PRIMARY KEY (pipeline, node));
                CREATE TABLE run_history (id INTEGER PRIMARY KEY AUTOINCREMENT, run_started_at TEXT NOT NULL,
                                          started_at TEXT NOT NULL, finished_at TEXT, seconds REAL, outcome TEXT NOT NULL,
                                          resumed_from TEXT NOT NULL DEFAULT '{}', nodes TEXT NOT NULL DEFAULT '[]',
                                          requests INTEGER NOT NULL DEFAULT 0, retries INTEGER NOT NULL DEFAULT 0,
                                          pipeline TEXT NOT NULL DEFAULT '');
                CREATE INDEX run_history_pipeline ON run_history (pipeline, id);
                """ + rows)
        }
    }

    @Test func aV6StoreIsReadAndItsUnfinishedRunResumes() throws {
        let dir = try LuaflowBinary.workspace()
        // 5 pages of 3 ids; the failed run had committed pages 1 and 2, region eu of its partitions.
        try dir.write("pages.lua", """
        function partitions() return { { key = "eu" }, { key = "us" } } end
        function get(pagination, state)
          local page = pagination.page or 1
          local log = io.open("calls.log", "a"); log:write(state.partition.key, " ", page, "\\n"); log:close()
          if page > 2 then return nil end
          return { { id = state.partition.key .. page } }, { page = page + 1 }
        end
        """)
        try dir.write("pipeline.lua", #"network { { source("pages.lua"), sink.file { path = "out.jsonl", mode = "append" } } }"#)
        try dir.write("out.jsonl", #"{"id":"eu1"}"# + "\n" + #"{"id":"eu2"}"# + "\n")
        try Self.v6Store(at: dir.appendingPathComponent(".luaflow/state.db").path, rows: """
            INSERT INTO run VALUES ('pipeline', 'failed', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.000Z',
                                    'pipeline@2026-01-01T00:00:00.000Z');
            INSERT INTO stream (pipeline, node, stream, records) VALUES ('pipeline', 'pages', '', 2);
            INSERT INTO stream_partition (pipeline, node, stream, key, ordinal, partition_json, exhausted, records)
              VALUES ('pipeline', 'pages', '', 'eu', 0, '{"key":"eu"}', 1, 2), ('pipeline', 'pages', '', 'us', 1, '{"key":"us"}', 0, 0);
            INSERT INTO run_history (pipeline, run_started_at, started_at, finished_at, seconds, outcome)
              VALUES ('pipeline', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.000Z', 1, 'failed');
            """)

        let show = try LuaflowBinary.run(["state", "show", "pipeline.lua"], in: dir)
        #expect(show.exitCode == 0, "\(show.stderr)")
        #expect(show.stdout.contains("last run: failed (the next run resumes), started 2026-01-01T00:00:00.000Z"), "\(show.stdout)")

        let run = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(try dir.read("calls.log") == "us 1\nus 2\nus 3\n", "the finished partition is skipped")
        #expect(try dir.read("out.jsonl").split(separator: "\n").count == 4)
        let after = try LuaflowBinary.run(["state", "show", "pipeline.lua"], in: dir)
        #expect(after.stdout.contains("last run: succeeded, started 2026-01-01T00:00:00.000Z"), "the old run was resumed: \(after.stdout)")
    }
}
