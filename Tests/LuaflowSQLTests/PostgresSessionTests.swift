import Foundation
import LuaflowCore
import LuaflowSQL
import TestSupport
import Testing

/// Connecting to a real server (the test cluster): a query runs, and each way a connection fails
/// gives its own message, with its error class, never the password.
@Suite struct PostgresSessionTests {
    @Test func connectsAndReportsTheServerVersion() throws {
        let pg = try PostgresCluster.shared()
        let session = PostgresSession(dsn: try PostgresDSN(try pg.createDatabase("connect")))
        defer { session.close() }
        try session.connect()
        #expect(try session.serverVersion().hasPrefix("PostgreSQL 1"))
        try session.execute("create table t (id int, name text, at timestamptz)")
        #expect(try session.execute("insert into t values ($1, $2, $3), ($4, $5, $6)",
                                    [.integer(1), .text("a'; drop table t; --"), .text("2024-01-02T03:04:05Z"),
                                     .integer(2), .null, .null]) == 2)
        let stored = try pg.psql("select id, name, at at time zone 'UTC' from t order by id", database: session.dsn.database)
        #expect(stored == "1|a'; drop table t; --|2024-01-02 03:04:05\n2||", "\(stored)")
    }

    @Test func aWrongPasswordIsAnAuthErrorWithoutThePassword() throws {
        let pg = try PostgresCluster.shared()
        let wrong = "wrong-pg-password-5d2"
        let session = PostgresSession(dsn: try PostgresDSN(pg.dsn(password: wrong)), retry: SQLRetry(attempts: 3))
        let error = try #require(#expect(throws: SQLError.self) { try session.connect() })
        #expect(error.kind == .authentication)
        #expect(error.errorClass == .auth)
        #expect(error.description == "[auth] cannot log in to postgres://luaflow:***@127.0.0.1:\(pg.port)/luaflow: password authentication failed for user \"luaflow\" (SQLSTATE 28P01)")
        #expect(!error.description.contains(wrong))
    }

    @Test func aMissingDatabaseIsNamed() throws {
        let pg = try PostgresCluster.shared()
        let session = PostgresSession(dsn: try PostgresDSN(pg.dsn(database: "no_such_db")))
        let error = try #require(#expect(throws: SQLError.self) { try session.connect() })
        #expect(error.kind == .missingDatabase)
        #expect(error.message.contains("database \"no_such_db\" does not exist"), "\(error)")
    }

    @Test func aRefusedConnectionIsRetriedThenReported() throws {
        let port = try PostgresCluster.unusedPort()
        let password = "refused-pg-password-9e1"
        let session = PostgresSession(dsn: try PostgresDSN("postgres://u:\(password)@127.0.0.1:\(port)/d?sslmode=disable"),
                                      retry: SQLRetry(attempts: 3, backoff: Backoff(baseDelay: 0.01, maxDelay: 0.02)))
        let error = try #require(#expect(throws: SQLError.self) { try session.connect() })
        #expect(error.kind == .connectionRefused)
        #expect(error.description == "[connection] cannot connect to postgres://u:***@127.0.0.1:\(port)/d: connection refused (is the server running and listening on that port?) (after 3 attempts)")
    }

    @Test func aConnectionLostMidQueryIsReportedAndRetried() throws {
        let pg = try PostgresCluster.shared()
        let dsn = try pg.createDatabase("lost")
        let session = PostgresSession(dsn: try PostgresDSN(dsn), retry: SQLRetry(attempts: 3, backoff: Backoff(baseDelay: 0.01, maxDelay: 0.02)))
        defer { session.close() }
        try session.connect()
        /// Ends the backend running pg_sleep once it runs.
        func terminateSleeper() {
            Thread.detachNewThread {
                for _ in 0..<100 {
                    let ended = try? pg.psql("""
                        select count(pg_terminate_backend(pid)) from pg_stat_activity
                        where datname = '\(pg.database(in: dsn))' and query like 'select pg_sleep%'
                        """, database: "postgres")
                    if ended == "1" { return }
                    Thread.sleep(forTimeInterval: 0.05)
                }
            }
        }
        terminateSleeper()
        let lost = #expect(throws: SQLError.self) { try session.execute("select pg_sleep(30)") }
        #expect(lost?.kind == .connectionLost, "\(String(describing: lost))")
        #expect(lost?.description.hasPrefix("[connection] lost the connection to postgres://luaflow:***@127.0.0.1:\(pg.port)/") == true,
                "\(String(describing: lost))")
        var tries = 0
        let result = try session.retrying { () throws -> Int? in
            tries += 1
            if tries == 1 {
                terminateSleeper()
                return try session.execute("select pg_sleep(30)")
            }
            return try session.execute("select 1")
        }
        #expect(tries == 2)
        #expect(result == 1)
    }
}
