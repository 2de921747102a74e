import LuaflowCore
import NIOCore
import PostgresNIO

extension PostgresSession {
    /// The driver's error as a ``SQLError`` a user can act on. `connecting`: the error happened
    /// while opening the connection (a broken connection there was refused, not lost).
    static func classify(_ error: any Error, dsn: PostgresDSN, connecting: Bool) -> SQLError {
        if let error = error as? SQLError { return error }
        if error is CancellationError { return SQLError(.interrupted, "\(dsn): stopped by a stop signal") }
        guard let error = error as? PSQLError else {
            return SQLError(connecting ? .connectionRefused : .connectionLost, "\(dsn): \(String(describing: error))")
        }
        if let info = error.serverInfo {
            let state = info[.sqlState]
            let message = info[.message] ?? "the server refused the request"
            switch state {
            case "28P01", "28000":
                return SQLError(.authentication, "cannot log in to \(dsn): \(message)", sqlState: state)
            case "3D000" where connecting:
                return SQLError(.missingDatabase, "cannot connect to \(dsn): \(message)", sqlState: state)
            case let state? where state.hasPrefix("08") || state.hasPrefix("57P"):
                return SQLError(.connectionLost, "lost the connection to \(dsn): \(message)", sqlState: state)
            default:
                let detail = [info[.detail], info[.hint].map { "hint: \($0)" }].compactMap { $0 }
                let text = ([message] + detail).joined(separator: "; ")
                return SQLError(.statement, text + (info[.position].map { " (at character \($0) of the statement)" } ?? ""), sqlState: state)
            }
        }
        switch error.code {
        case .connectionError where connecting:
            return SQLError(.connectionRefused, "cannot connect to \(dsn): \(reason(error.underlying))")
        case .connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection:
            return SQLError(.connectionLost, "lost the connection to \(dsn): \(reason(error.underlying))")
        case .queryCancelled:
            return SQLError(.interrupted, "\(dsn): the query was cancelled")
        case .authMechanismRequiresPassword:
            return SQLError(.authentication, "cannot log in to \(dsn): the server asks for a password and the DSN has none")
        case .sslUnsupported:
            return SQLError(.connectionRefused, "cannot connect to \(dsn): the server does not offer TLS (sslmode=require); use sslmode=prefer or disable")
        default:
            return SQLError(connecting ? .connectionRefused : .statement, "\(dsn): \(error.code)\(error.underlying.map { ": \(reason($0))" } ?? "")")
        }
    }

    /// The words of a socket-level error (`connection refused`), without the driver's dump.
    private static func reason(_ error: (any Error)?) -> String {
        guard let error else { return "the connection closed" }
        if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED: return "connection refused (is the server running and listening on that port?)"
            case ECONNRESET: return "connection reset by the server"
            case ETIMEDOUT: return "connection timed out"
            default: return io.description
            }
        }
        if let channel = error as? ChannelError {
            switch channel {
            case .connectTimeout: return "connection timed out"
            case .ioOnClosedChannel, .alreadyClosed, .eof: return "the connection closed"
            default: return "\(channel)"
            }
        }
        let text = String(describing: error)
        if text.contains("connection refused") || text.contains("Connection refused") {
            return "connection refused (is the server running and listening on that port?)"
        }
        return text
    }
}
