import Foundation
import GRDB
import Testing
import TestSupport

/// `sink.sqlite` end to end through the built binary: tables and types from the records, schema
/// evolution under each contract, the three write dispositions, and exactly once after kills.
@Suite(.serialized) struct SQLiteSinkTests {
    static func workspace(_ records: [String], sink: String) throws -> URL {
        let dir = try LuaflowBinary.workspace()
        try dir.write("in.jsonl", records.joined(separator: "\n") + "\n")
        try dir.write("pipeline.lua", """
        network { { source.file { path = "in.jsonl" }, \(sink) } }
        """)
        return dir
    }

    static func query<T>(_ dir: URL, _ body: (Database) throws -> T) throws -> T {
        try DatabaseQueue(path: dir.appendingPathComponent("out.db").path).read(body)
    }

    static func run(_ dir: URL, _ extra: [String] = []) throws -> LuaflowBinary.Result {
        try LuaflowBinary.run(["run", "pipeline.lua", "-q"] + extra, in: dir)
    }

    @Test func createsTheTableFromTheRecordsAndKeepsEveryValuesMeaning() throws {
        let dir = try Self.workspace([
            #"{"id": 1, "score": 2.5, "ok": true, "name": "Ada \"A\"\n", "tags": [], "meta": {}, "none": null}"#,
            #"{"id": 2, "score": 3, "ok": false, "name": "Bo", "tags": ["x"], "meta": {"k": 1}, "none": null}"#,
        ], sink: #"sink.sqlite { path = "out.db", table = "users" }"#)
        let result = try Self.run(dir)
        #expect(result.exitCode == 0, "\(result.stderr)")
        try Self.query(dir) { (db: Database) throws in
            let columns = try Row.fetchAll(db, sql: "SELECT name, type FROM pragma_table_info('users')").map { "\($0["name"] as String) \($0["type"] as String)" }
            #expect(columns == ["id INTEGER", "score REAL", "ok BOOLEAN", "name TEXT", "tags JSON", "meta JSON", "_luaflow_load_id INTEGER"])
            let rows = try Row.fetchAll(db, sql: "SELECT id, score, ok, name, tags, meta, typeof(score) AS st FROM users ORDER BY id")
            #expect(rows.map { $0["id"] as Int64 } == [1, 2])
            #expect(rows.map { $0["score"] as Double } == [2.5, 3])
            #expect(rows.map { $0["st"] as String } == ["real", "real"], "an integer in a double column is a double")
            #expect(rows.map { $0["ok"] as Int64 } == [1, 0])
            #expect(rows.map { $0["name"] as String } == ["Ada \"A\"\n", "Bo"])
            #expect(rows.map { $0["tags"] as String } == ["[]", "[\"x\"]"], "[] stays an empty array, not null")
            #expect(rows.map { $0["meta"] as String } == ["{}", "{\"k\": 1}"])
            #expect(try Int.fetchOne(db, sql: "SELECT sum(records) FROM _luaflow_loads") == 2)
        }
    }

    @Test func newFieldsAddColumnsAndConflictsGoToVariantColumns() throws {
        let dir = try Self.workspace([#"{"id": 1, "age": 30}"#], sink: #"sink.sqlite { path = "out.db", table = "users" }"#)
        #expect(try Self.run(dir).exitCode == 0)
        try dir.write("in.jsonl", #"{"id": 2, "age": "thirty", "email": "b@x"}"# + "\n")
        let second = try Self.run(dir)
        #expect(second.exitCode == 0, "\(second.stderr)")
        try Self.query(dir) { (db: Database) throws in
            let rows = try Row.fetchAll(db, sql: "SELECT id, age, age__v_text, email FROM users ORDER BY id")
            #expect(rows.map { $0["age"] as Int64? } == [30, nil])
            #expect(rows.map { $0["age__v_text"] as String? } == [nil, "thirty"])
            #expect(rows.map { $0["email"] as String? } == [nil, "b@x"])
        }
    }

    @Test func freezeFailsTheRunNamingFieldRecordAndTypes() throws {
        let dir = try Self.workspace([#"{"id": 1, "age": 30}"#, #"{"id": 2, "age": "thirty"}"#],
                                     sink: #"sink.sqlite { path = "out.db", table = "users", schema_contract = "freeze" }"#)
        let result = try Self.run(dir)
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("node 'users' (write): field age is text in a record, its column in users is bigint (schema_contract = \"freeze\")"), "\(result.stderr)")
        #expect(result.stderr.contains(#"record 2: {"id": 2, "age": "thirty"}"#), "\(result.stderr)")
        try Self.query(dir) { (db: Database) throws in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE name = 'users'") == 0,
                    "the failed run's load, which created the table, was rolled back")
        }
    }

    @Test func discardRowSendsTheRecordToTheDeadLetterFile() throws {
        let dir = try Self.workspace([#"{"id": 1, "age": 30}"#, #"{"id": 2, "age": "thirty"}"#, #"{"id": 3, "age": 40}"#],
                                     sink: #"sink.sqlite { name = "db", path = "out.db", table = "users", schema_contract = "discard_row", on_error = "dead_letter" }"#)
        let result = try Self.run(dir)
        #expect(result.exitCode == 0, "\(result.stderr)")
        try Self.query(dir) { (db: Database) throws in
            #expect(try Int64.fetchAll(db, sql: "SELECT id FROM users ORDER BY id") == [1, 3])
        }
        let dead = try dir.read("db.dead.jsonl").split(separator: "\n")
        #expect(dead.count == 1)
        let entry = try JSONSerialization.jsonObject(with: Data(dead[0].utf8)) as! [String: Any]
        #expect((entry["record"] as? [String: Any])?["id"] as? Int == 2)
        #expect((entry["error"] as? String)?.contains("field age is text, its column is bigint") == true, "\(entry)")
    }

    @Test func discardRowNeedsAnOnErrorThatKeepsGoing() throws {
        let dir = try Self.workspace([#"{"id": 1}"#], sink: #"sink.sqlite { path = "out.db", table = "users", schema_contract = "discard_row" }"#)
        let result = try Self.run(dir)
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains(#"set on_error = "dead_letter""#), "\(result.stderr)")
    }

    @Test func declaredColumnsOverrideTheInferredTypes() throws {
        let dir = try Self.workspace([#"{"id": 1, "at": "2026-11-30T12:00:00Z", "n": 5}"#],
                                     sink: #"sink.sqlite { path = "out.db", table = "t", columns = { { name = "at", type = "timestamptz" }, { name = "n", type = "double precision" } } }"#)
        #expect(try Self.run(dir).exitCode == 0)
        try Self.query(dir) { (db: Database) throws in
            let types = try Row.fetchAll(db, sql: "SELECT name, type FROM pragma_table_info('t')").map { "\($0["name"] as String) \($0["type"] as String)" }
            #expect(types == ["at TIMESTAMP", "n REAL", "id INTEGER", "_luaflow_load_id INTEGER"])
        }
    }

    @Test func replaceSwapsTheTableOnlyWhenTheRunSucceeds() throws {
        let dir = try Self.workspace([#"{"id": 1}"#, #"{"id": 2}"#], sink: #"sink.sqlite { path = "out.db", table = "t", write_disposition = "replace" }"#)
        #expect(try Self.run(dir).exitCode == 0)
        try dir.write("in.jsonl", #"{"id": 3}"# + "\n" + "{broken\n")
        #expect(try Self.run(dir).exitCode == 1)
        try Self.query(dir) { (db: Database) throws in
            #expect(try Int64.fetchAll(db, sql: "SELECT id FROM t ORDER BY id") == [1, 2], "a failed replace leaves the table as it was")
        }
        try dir.write("in.jsonl", #"{"id": 3, "extra": "x"}"# + "\n")
        let third = try Self.run(dir, ["--full-refresh"])
        #expect(third.exitCode == 0, "\(third.stderr)")
        try Self.query(dir) { (db: Database) throws in
            #expect(try Int64.fetchAll(db, sql: "SELECT id FROM t") == [3])
            #expect(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") == ["_luaflow_loads", "t"])
        }
    }

    @Test func mergeUpsertsOnThePrimaryKeyAndTheLastRecordOfALoadWins() throws {
        let dir = try Self.workspace([#"{"id": 1, "v": "a"}"#, #"{"id": 2, "v": "b"}"#, #"{"id": 1, "v": "c"}"#],
                                     sink: #"sink.sqlite { path = "out.db", table = "t", write_disposition = "merge", primary_key = { "id" } }"#)
        #expect(try Self.run(dir).exitCode == 0)
        try dir.write("in.jsonl", #"{"id": 2, "v": "d"}"# + "\n" + #"{"id": 3, "v": "e"}"# + "\n")
        #expect(try Self.run(dir).exitCode == 0)
        try Self.query(dir) { (db: Database) throws in
            let rows = try Row.fetchAll(db, sql: "SELECT id, v FROM t ORDER BY id").map { "\($0["id"] as Int64)=\($0["v"] as String)" }
            #expect(rows == ["1=c", "2=d", "3=e"])
        }
    }

    @Test func mergeWithDedupSortKeepsTheNewestRecordOfALoad() throws {
        let dir = try Self.workspace([#"{"id": 1, "at": 5, "v": "new"}"#, #"{"id": 1, "at": 3, "v": "old"}"#],
                                     sink: #"sink.sqlite { path = "out.db", table = "t", write_disposition = "merge", primary_key = { "id" }, dedup_sort = "at" }"#)
        #expect(try Self.run(dir).exitCode == 0)
        try Self.query(dir) { (db: Database) throws in
            #expect(try String.fetchAll(db, sql: "SELECT v FROM t") == ["new"])
        }
    }

    @Test func aLoadTheStateStoreNeverCommittedIsRemovedOnResume() throws {
        let dir = try DatabaseSinkKills.uncommittedLoad(sink: #"sink.sqlite { path = "out.db", table = "t" }"#)
        let failed = try Self.run(dir)
        #expect(failed.exitCode == 1 && failed.stderr.contains("injected failure"), "\(failed.stderr)")
        try Self.query(dir) { (db: Database) throws in
            let rows = try Int.fetchOne(db, sql: "SELECT count(*) FROM t") ?? 0
            #expect(rows >= 20, "the database committed loads after the first checkpoint (\(rows) rows)")
        }
        let rerun = try Self.run(dir)
        #expect(rerun.exitCode == 0, "\(rerun.stderr)")
        try Self.query(dir) { (db: Database) throws in
            #expect(try Int.fetchAll(db, sql: "SELECT id FROM t ORDER BY id") == Array(1...30))
        }
    }

    @Test(arguments: ["append", "merge"])
    func sigkillAtRandomMomentsKeepsEveryRecordOnce(disposition: String) async throws {
        try await onThread {
            let key = disposition == "merge" ? #", primary_key = { "key" }"# : ""
            let outcome = try DatabaseSinkKills.run(sink: #"sink.sqlite { path = "out.db", table = "t", write_disposition = "\#(disposition)"\#(key) }"#,
                                                    kills: 30, seed: disposition == "merge" ? 11 : 12)
            #expect(outcome.last.exitCode == 0, "\(outcome.last.stderr)")
            #expect(outcome.killedMidRun >= 15, "most kills must land inside a run (\(outcome.killedMidRun) did)")
            try Self.query(outcome.dir) { (db: Database) throws in
                let rows = try Row.fetchAll(db, sql: "SELECT l.run, t.id FROM t JOIN _luaflow_loads l ON l.load_id = t._luaflow_load_id")
                #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM t") == rows.count, "every row belongs to a committed load")
                let loads = try Row.fetchAll(db, sql: "SELECT run, sum(records) AS n FROM _luaflow_loads GROUP BY run")
                try DatabaseSinkKills.verify(disposition: disposition, rows: rows.map { ($0["run"], $0["id"]) },
                                             loads: loads.map { ($0["run"], $0["n"]) },
                                             merged: try Row.fetchAll(db, sql: "SELECT key, v FROM t").map { ($0["key"], $0["v"]) })
            }
        }
    }
}
