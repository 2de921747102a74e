import CSQLiteShim
import GRDB

/// The one place that configures every SQLite connection luaflow opens for a script (`sql`), a
/// source or a sink: SQL run on it reaches its own file and nothing else.
///
/// SQLite's authorizer (`sqlite3_set_authorizer`) cannot be used for this: a connection has one
/// authorizer, and GRDB installs its own on every connection once (it tracks transactions and
/// schema changes through it), so replacing it would break GRDB. The same refusals come from
/// SQLite's limits and configuration instead (`luaflow_sqlite_harden`): no ATTACH in any form
/// (`SQLITE_LIMIT_ATTACHED` = 0, which also refuses `VACUUM INTO`), `SQLITE_DBCONFIG_DEFENSIVE`,
/// no extension loading, no FTS3 tokenizer pointers, `trusted_schema` and `writable_schema` off.
enum SQLiteConnectionPolicy {
    /// A GRDB configuration with the defences on; `deadline`, when given, stops the connection's
    /// statements once it passes.
    static func configuration(readOnly: Bool, deadline: SQLiteDeadline? = nil) -> Configuration {
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            let code = luaflow_sqlite_harden(db.sqliteConnection)
            guard code == 0 else { // SQLITE_OK
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "cannot turn on SQLite's defences")
            }
            if let deadline { luaflow_sqlite_watch(db.sqliteConnection, deadline.pointer) }
        }
        return configuration
    }

    /// Removes the connection's deadline handler before its ``SQLiteDeadline`` goes away.
    static func unwatch(_ db: Database) {
        luaflow_sqlite_watch(db.sqliteConnection, nil)
    }

    /// The message for SQLite's refusal of an ATTACH (also `VACUUM`, which attaches a copy), or nil.
    static func explained(_ message: String) -> String? {
        guard message.hasPrefix("too many attached databases") else { return nil }
        return "ATTACH and VACUUM are refused: a luaflow connection reaches only the database file it was opened on"
    }
}
