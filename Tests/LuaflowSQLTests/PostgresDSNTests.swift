import LuaflowCore
import LuaflowSQL
import Testing

/// DSN parsing: every part read and percent-decoded, `env:NAME` resolved, bad input refused with
/// a message that never shows the password.
@Suite struct PostgresDSNTests {
    @Test func readsEveryPart() throws {
        let dsn = try PostgresDSN("postgres://app%40x:p%3Ass-dsn-1@db.example:6543/sales?sslmode=require")
        #expect(dsn.user == "app@x")
        #expect(dsn.password == "p:ss-dsn-1")
        #expect(dsn.host == "db.example")
        #expect(dsn.port == 6543)
        #expect(dsn.database == "sales")
        #expect(dsn.sslMode == .require)
        #expect(dsn.description == "postgres://app@x:***@db.example:6543/sales")
    }

    @Test func defaultsFollowLibpq() throws {
        let dsn = try PostgresDSN("postgresql://reader@/?host=/run/pg")
        #expect(dsn.host == "localhost")
        #expect(dsn.port == 5432)
        #expect(dsn.database == "reader")
        #expect(dsn.socketDirectory == "/run/pg")
        #expect(dsn.sslMode == .prefer)
        #expect(dsn.password == nil)
    }

    @Test func resolvesEnvReferencesAndRedactsThePassword() throws {
        let dsn = try PostgresDSN("env:ORDERS_DB", environment: ["ORDERS_DB": "postgres://u:env-secret-pw-77@h/d"])
        #expect(dsn.password == "env-secret-pw-77")
        #expect(Redactor.shared.redact("failed: env-secret-pw-77") == "failed: ***")
        let unset = #expect(throws: SQLError.self) { try PostgresDSN("env:NOT_SET_ANYWHERE", environment: [:]) }
        #expect(unset?.message == "environment variable NOT_SET_ANYWHERE is not set (the DSN says \"env:NOT_SET_ANYWHERE\")")
    }

    @Test func refusesBadInputWithoutShowingThePassword() throws {
        for (text, expected) in [
            ("mysql://u:bad-input-pw-1@h/d", "a PostgreSQL DSN starts with postgres://"),
            ("postgres://u:bad-input-pw-1@h:99999/d", "the port in the DSN is not a number from 1 to 65535"),
            ("postgres://u:bad-input-pw-1@h/d?sslmode=maybe", "sslmode=maybe is not one of disable, prefer, require, verify-full"),
            ("postgres://u:bad-input-pw-1@h/d?colour=red", "unknown DSN parameter `colour`"),
        ] {
            let error = #expect(throws: SQLError.self) { try PostgresDSN(text) }
            #expect(error?.message.hasPrefix(expected) == true, "\(error?.message ?? "")")
            #expect(error?.description.contains("bad-input-pw-1") == false)
            #expect(error?.kind == .configuration)
        }
    }
}
