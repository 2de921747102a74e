import Foundation
import GRDB
import Testing
@testable import LuaflowSQL

/// The defences of every SQLite connection luaflow opens (``SQLiteConnectionPolicy``): SQL run on
/// it reaches no other file and no native pointer, and GRDB still works on it.
@Suite struct SQLiteDefenceTests {
    /// A session on a fresh file in a fresh directory; returns it and the directory.
    static func session() throws -> (SQLiteSession, PipelineDirectory) {
        let dir = try PipelineDirectory()
        return (try SQLiteSession(path: dir.path("own.db"), displayPath: "own.db", readOnly: false), dir)
    }

    static func refusal(_ session: SQLiteSession, _ sql: String, _ arguments: StatementArguments = []) -> String? {
        do {
            try session.access { try $0.execute(sql: sql, arguments: arguments) }
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func attachAndVacuumIntoReachNoOtherFile() throws {
        let (session, dir) = try Self.session()
        let other = dir.path("other.db")
        for sql in ["ATTACH DATABASE '\(other)' AS o", "VACUUM INTO '\(other)'", "VACUUM",
                    "ATTACH 'file:\(other)?mode=rwc' AS o"] {
            let refused = Self.refusal(session, sql)
            #expect(refused?.contains("ATTACH and VACUUM are refused") == true, "\(sql): \(refused ?? "ran")")
        }
        #expect(!FileManager.default.fileExists(atPath: other), "no statement created the other file")
    }

    @Test func noNativePointerGoesInOrOut() throws {
        let (session, _) = try Self.session()
        let pointer = Data(repeating: 0x41, count: MemoryLayout<UnsafeRawPointer>.size)
        for (sql, arguments) in [("SELECT fts3_tokenizer('simple')", []), ("SELECT fts3_tokenizer(?)", ["simple"]),
                                 ("SELECT fts3_tokenizer('simple', ?)", [pointer]), ("SELECT fts3_tokenizer(?, ?)", ["mine", pointer]),
                                 ("SELECT load_extension('/tmp/x.so')", []), ("SELECT load_extension(?, ?)", ["/tmp/x.so", "init"])] as [(String, StatementArguments)] {
            let refused = Self.refusal(session, sql, arguments)
            #expect(refused?.contains("is not available in luaflow") == true, "\(sql): \(refused ?? "ran")")
        }
    }

    @Test func theSchemaCannotBeWrittenOrTrusted() throws {
        let (session, _) = try Self.session()
        try session.access { db in
            try db.execute(sql: "CREATE TABLE t (x)")
            try db.execute(sql: "PRAGMA writable_schema = ON")
            #expect(throws: DatabaseError.self) { try db.execute(sql: "UPDATE sqlite_master SET sql = 'CREATE TABLE t (y)' WHERE name = 't'") }
            #expect(try Int.fetchOne(db, sql: "PRAGMA trusted_schema") == 0)
        }
    }

    @Test func grdbStillTracksTransactionsAndTheSchema() throws {
        let (session, _) = try Self.session()
        try session.access { db in
            try db.execute(sql: "CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT)")
            #expect(try db.columns(in: "t").map(\.name) == ["a", "b"])
            try db.execute(sql: "ALTER TABLE t ADD COLUMN c")
            #expect(try db.columns(in: "t").map(\.name) == ["a", "b", "c"], "the schema cache sees the new column")
            try db.inTransaction {
                try db.execute(sql: "INSERT INTO t (b) VALUES ('x')")
                #expect(db.isInsideTransaction)
                return .rollback
            }
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM t") == 0)
        }
    }

    @Test func aDeadlineStopsARunawayStatementWithinASecond() throws {
        let (session, _) = try Self.session()
        session.deadline.arm(seconds: 0.3)
        let started = Date()
        #expect(throws: SQLError.self) {
            try session.access { try Int.fetchOne($0, sql: "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n") }
        }
        #expect(Date().timeIntervalSince(started) < 1.3)
        #expect(session.deadline.expired)
        session.deadline.disarm()
        #expect(try session.access { try Int.fetchOne($0, sql: "SELECT 1") } == 1)
    }
}
