import Foundation
import GRDB
import LuaflowCore

/// One SQLite database file opened through GRDB for one node thread, with luaflow's defences on
/// (``SQLiteConnectionPolicy``). Failures are ``SQLError``s naming the file; a stop signal
/// interrupts a running statement, and so does ``deadline`` once it passes.
public final class SQLiteSession {
    /// The file as the user wrote it (for messages).
    public let displayPath: String
    public let path: String
    let queue: DatabaseQueue
    /// When the running statement must stop (armed by the `sql` module for a script's call).
    let deadline = SQLiteDeadline()
    private let runtime: SQLRuntime
    private let trackingKey: Int

    /// Opens `path` (absolute); `readOnly` refuses a file that does not exist, else it is created.
    public init(path: String, displayPath: String, readOnly: Bool, runtime: SQLRuntime = .shared) throws {
        self.path = path
        self.displayPath = displayPath
        self.runtime = runtime
        if readOnly && !FileManager.default.fileExists(atPath: path) {
            throw SQLError(.configuration, "SQLite database \(displayPath) not found")
        }
        var configuration = SQLiteConnectionPolicy.configuration(readOnly: readOnly, deadline: deadline)
        // The `sql` module begins a transaction in one call and commits it in another.
        configuration.allowsUnsafeTransactions = !readOnly
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw Self.classify(error, file: displayPath)
        }
        let queue = self.queue
        trackingKey = runtime.track { queue.interrupt() }
    }

    deinit {
        runtime.forget(trackingKey)
        queue.inDatabase { SQLiteConnectionPolicy.unwatch($0) }
    }

    /// Runs `body` with the database (on the calling thread, GRDB's queue serializing access);
    /// GRDB's errors come out as ``SQLError``s.
    public func access<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try queue.inDatabase(body)
        } catch {
            throw Self.classify(error, file: displayPath)
        }
    }

    /// "SQLite 3.40.1".
    public func version() throws -> String {
        "SQLite " + (try access { try String.fetchOne($0, sql: "select sqlite_version()") } ?? "")
    }

    static func classify(_ error: any Error, file: String) -> SQLError {
        if let error = error as? SQLError { return error }
        guard let error = error as? DatabaseError else { return SQLError(.statement, "\(file): \(error)") }
        let message = error.message ?? "\(error.resultCode)"
        switch error.resultCode {
        case .SQLITE_INTERRUPT: return SQLError(.interrupted, "\(file): stopped by a stop signal")
        case .SQLITE_CANTOPEN: return SQLError(.configuration, "cannot open SQLite database \(file): \(message)")
        case .SQLITE_NOTADB: return SQLError(.configuration, "\(file) is not a SQLite database")
        default: return SQLError(.statement, "\(file): \(SQLiteConnectionPolicy.explained(message) ?? message)")
        }
    }
}
