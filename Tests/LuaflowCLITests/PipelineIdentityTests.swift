import Foundation
import GRDB
import Testing
import TestSupport

/// Pipelines have names: two pipelines of one directory share `.luaflow/state.db` but never a
/// cursor, and a store written before pipelines had names is adopted where it left off.
@Suite(.serialized) struct PipelineIdentityTests {
    /// A get() source of ids `from`...`to` after `state.cursor`, one page, logging each call's cursor.
    static let events = """
    schema = { from = { type = "integer", default = 1 }, to = { type = "integer", required = true } }
    cursor_field = "id"
    function get(pagination, state)
      local log = io.open("calls.log", "a"); log:write(tostring(state.cursor), "\\n"); log:close()
      local records = {}
      for id = config.from, config.to do
        if state.cursor == nil or id > state.cursor then records[#records + 1] = { id = id } end
      end
      return records, nil
    end
    """

    @Test func twoPipelinesWithSameNamedSourcesEachReadAllTheirDataOnTheFirstRun() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("events.lua", Self.events)
        try dir.write("orders.lua", #"network { { source("events.lua", { to = 10 }), sink.file { path = "orders.jsonl" } } }"#)
        try dir.write("refunds.lua", #"network { { source("events.lua", { to = 4 }), sink.file { path = "refunds.jsonl" } } }"#)
        let orders = try LuaflowBinary.run(["run", "orders.lua", "-q"], in: dir)
        #expect(orders.exitCode == 0, "\(orders.stderr)")
        let refunds = try LuaflowBinary.run(["run", "refunds.lua", "-q"], in: dir)
        #expect(refunds.exitCode == 0, "\(refunds.stderr)")
        #expect(try dir.ids(in: "orders.jsonl") == Array(1...10))
        #expect(try dir.ids(in: "refunds.jsonl") == [1, 2, 3, 4], "its own first run: no cursor of the other pipeline's 'events'")

        // Each keeps its own cursor on the next runs.
        try dir.write("refunds.lua", #"network { { source("events.lua", { to = 6 }), sink.file { path = "refunds.jsonl" } } }"#)
        #expect(try LuaflowBinary.run(["run", "refunds.lua", "-q"], in: dir).exitCode == 0)
        #expect(try dir.ids(in: "refunds.jsonl") == [5, 6])
        #expect(try dir.read("calls.log") == "nil\nnil\n4\n")

        let show = try LuaflowBinary.run(["state", "show", "refunds.lua"], in: dir)
        #expect(show.exitCode == 0, "\(show.stderr)")
        #expect(show.stdout.contains("pipeline: refunds\nother pipelines in this store: orders"), "\(show.stdout)")
        let row = show.stdout.split(separator: "\n").first { $0.hasPrefix("events") }
        #expect(row?.split(separator: " ").dropFirst(2).first == "6", "\(show.stdout)")
        let runs = try LuaflowBinary.run(["runs", "orders.lua"], in: dir)
        #expect(runs.stdout.split(separator: "\n").count == 3, "one run of orders, and the line naming refunds: \(runs.stdout)")
        #expect(runs.stdout.hasSuffix("other pipelines in this store: refunds\n"), "\(runs.stdout)")
    }

    @Test func aDeclaredNameKeysTheState() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("events.lua", Self.events)
        try dir.write("pipeline.lua", """
        pipeline { name = "shop-orders" }
        network { { source("events.lua", { to = 3 }), sink.file { path = "out.jsonl" } } }
        """)
        #expect(try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir).exitCode == 0)
        try dir.write("copy.lua", """
        pipeline { name = "shop-orders" }
        network { { source("events.lua", { to = 5 }), sink.file { path = "copy.jsonl" } } }
        """)
        #expect(try LuaflowBinary.run(["run", "copy.lua", "-q"], in: dir).exitCode == 0)
        #expect(try dir.ids(in: "copy.jsonl") == [4, 5], "the same name is the same pipeline, whatever the file")
        let show = try LuaflowBinary.run(["state", "show", "copy.lua", "--json"], in: dir)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        #expect(object["pipeline"] as? String == "shop-orders")

        try dir.write("bad.lua", "pipeline { name = \"a b\" }\nnetwork { { source.list { items = {} }, sink.stdout {} } }")
        let bad = try LuaflowBinary.run(["run", "bad.lua"], in: dir)
        #expect(bad.exitCode == 2)
        #expect(bad.stderr.contains("bad.lua:1: pipeline: name must be a string of letters, digits"), "\(bad.stderr)")
    }

    /// The schema every store had before pipelines had names (migrations v1 to v5), with `rows`.
    static func legacyStore(at path: String, rows: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                INSERT INTO grdb_migrations VALUES ('v1'), ('v2'), ('v3-sink-token'), ('v4-partitions'), ('v5-run-history');
                CREATE TABLE run (id INTEGER PRIMARY KEY CHECK (id = 1), status TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT);
                CREATE TABLE stream (node TEXT NOT NULL, stream TEXT NOT NULL, pagination TEXT, skip INTEGER NOT NULL DEFAULT 0,
                                     run_cursor TEXT, cursor TEXT, records INTEGER NOT NULL DEFAULT 0, last_run TEXT,
                                     updated_at TEXT, exhausted INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (node, stream));
                CREATE TABLE sink_token (node TEXT PRIMARY KEY, records INTEGER NOT NULL, data TEXT);
                CREATE TABLE stream_partition (node TEXT NOT NULL, stream TEXT NOT NULL, key TEXT NOT NULL, ordinal INTEGER NOT NULL,
                                               partition_json TEXT NOT NULL, pagination TEXT, exhausted INTEGER NOT NULL DEFAULT 0,
                                               run_cursor TEXT, cursor TEXT, records INTEGER NOT NULL DEFAULT 0,
                                               PRIMARY KEY (node, stream, key));
                CREATE TABLE run_history (id INTEGER PRIMARY KEY AUTOINCREMENT, run_started_at TEXT NOT NULL,
                                          started_at TEXT NOT NULL, finished_at TEXT, seconds REAL, outcome TEXT NOT NULL,
                                          resumed_from TEXT NOT NULL DEFAULT '{}', nodes TEXT NOT NULL DEFAULT '[]',
                                          requests INTEGER NOT NULL DEFAULT 0, retries INTEGER NOT NULL DEFAULT 0);
                """ + rows)
        }
    }

    @Test func aStoreFromBeforePipelineNamesIsAdoptedAndTheRunResumesWhereItStopped() throws {
        let dir = try LuaflowBinary.workspace()
        // 5 pages of 3 ids; the failed run had committed pages 1 and 2.
        try dir.write("pages.lua", """
        function get(pagination, state)
          local page = pagination.page or 1
          local log = io.open("calls.log", "a"); log:write(page, "\\n"); log:close()
          if page > 5 then return nil end
          return { { id = page * 3 - 2 }, { id = page * 3 - 1 }, { id = page * 3 } }, { page = page + 1 }
        end
        """)
        try dir.write("pipeline.lua", #"network { { source("pages.lua"), sink.file { path = "out.jsonl", mode = "append" } } }"#)
        try dir.write("out.jsonl", (1...6).map { #"{"id":\#($0)}"# }.joined(separator: "\n") + "\n")
        try Self.legacyStore(at: dir.appendingPathComponent(".luaflow/state.db").path, rows: """
            INSERT INTO run VALUES (1, 'failed', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.000Z');
            INSERT INTO stream (node, stream, pagination, records) VALUES ('pages', '', '{"page":3}', 6);
            INSERT INTO run_history (run_started_at, started_at, finished_at, seconds, outcome)
              VALUES ('2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.000Z', 1, 'failed');
            """)

        let show = try LuaflowBinary.run(["state", "show", "pipeline.lua"], in: dir)
        #expect(show.exitCode == 0, "\(show.stderr)")
        #expect(show.stdout.contains("pipeline: pipeline\nlast run: failed (the next run resumes), started 2026-01-01T00:00:00.000Z"), "\(show.stdout)")
        #expect(show.stdout.contains(#"{"page":3}"#), "\(show.stdout)")

        let run = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(try dir.read("calls.log") == "3\n4\n5\n6\n", "resumed at the committed page")
        #expect(try dir.ids(in: "out.jsonl") == Array(1...15), "every id once")
        let runs = try LuaflowBinary.run(["runs", "pipeline.lua"], in: dir)
        let lines = runs.stdout.split(separator: "\n")
        #expect(lines.count == 3 && lines[1].contains("succeeded") && lines[1].contains("run of 2026-01-01T00:00:00.000Z")
                && lines[2].contains("failed"), "the old history is kept: \(runs.stdout)")
    }

    @Test func aDatabaseSourceKeepsItsCursorUnderItsNewDefaultName() throws {
        let dir = try LuaflowBinary.workspace()
        let queue = try DatabaseQueue(path: dir.appendingPathComponent("app.db").path)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1), (2), (3), (4), (5);")
        }
        try dir.write("pipeline.lua", """
        network { { source.sqlite { path = "app.db", table = "t", incremental = { cursor_field = "id" } }, sink.file { path = "out.jsonl" } } }
        """)
        // An earlier release named the source after its file, app.db, and committed cursor 3.
        try Self.legacyStore(at: dir.appendingPathComponent(".luaflow/state.db").path, rows: """
            INSERT INTO run VALUES (1, 'succeeded', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.000Z');
            INSERT INTO stream (node, stream, cursor, records, last_run) VALUES ('app.db', '', '3', 3, '2026-01-01T00:00:00.000Z');
            """)
        let run = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(try dir.ids(in: "out.jsonl") == [4, 5])
        #expect(run.stderr.contains("t (was app.db)"), "the adoption is logged: \(run.stderr)")
        #expect(run.stderr.contains("\nt "), "the source is named after its table: \(run.stderr)")
    }
}
