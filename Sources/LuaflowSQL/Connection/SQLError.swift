import LuaflowCore

/// Every failure of the database layer, PostgreSQL and SQLite alike: what went wrong in words a
/// user can act on, the SQLSTATE when the server sent one, and the error class the host acts on
/// (connection errors are retried, authentication errors stop the run). The message never holds
/// a password: it is redacted when the error is made.
public struct SQLError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; decides the ``errorClass``.
    public enum Kind: Sendable, Equatable {
        /// A bad DSN, path or option: nothing was tried.
        case configuration
        /// Nothing listens at the address, or it cannot be reached.
        case connectionRefused
        /// The server refused the login (wrong password, unknown role).
        case authentication
        /// The server has no database of that name.
        case missingDatabase
        /// The connection broke after it was made (server restarted, network gone).
        case connectionLost
        /// The server (or SQLite) refused a statement: syntax, constraint, permission, type.
        case statement
        /// The stop signal (SIGINT, SIGTERM) ended the call.
        case interrupted
    }

    public let kind: Kind
    /// The message, redacted.
    public let message: String
    /// The five-character SQLSTATE from PostgreSQL, or SQLite's result code as text.
    public let sqlState: String?

    public init(_ kind: Kind, _ message: String, sqlState: String? = nil) {
        self.kind = kind
        self.message = Redactor.shared.redact(message)
        self.sqlState = sqlState
    }

    /// How the host treats the failure: `connection` (retried with backoff), `auth` (stops the
    /// run), `data` (a statement the data made fail) or nil (a config or script mistake).
    public var errorClass: ErrorClass? {
        switch kind {
        case .connectionRefused, .connectionLost: return .connection
        case .authentication, .missingDatabase: return .auth
        case .statement: return sqlState.map { $0.hasPrefix("22") || $0.hasPrefix("23") } == true ? .data : nil
        case .configuration, .interrupted: return nil
        }
    }

    /// Whether trying again (after a reconnect) may succeed.
    public var isRetryable: Bool { errorClass?.isRetryable == true }

    public var description: String {
        let tag = errorClass.map { "\($0.tag) " } ?? ""
        let state = sqlState.map { " (SQLSTATE \($0))" } ?? ""
        return "\(tag)\(message)\(state)"
    }

    /// The error as a run failure of `node`, located at its declaration in the pipeline:
    /// `node 'orders' (read): [auth] ... (source.postgres declared at pipeline.lua:3)`.
    public func pipelineError(_ node: BuiltinNode, phase: String) -> PipelineError {
        PipelineError(kind == .configuration ? .config : .runtime, node: node.spec.name, phase: phase,
                      "\(self) (\(node.spec.what) declared at \(node.declaredAt))")
    }
}
