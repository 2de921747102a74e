import Foundation
import LuaflowCore
import NIOSSL
import PostgresNIO

/// One PostgreSQL connection used from one node thread, through blocking calls: the driver's
/// async work runs on ``DedicatedTaskExecutor`` (never Swift's cooperative pool) while the
/// calling thread waits. Failures are ``SQLError``s with the password redacted; ``retrying(_:)``
/// reconnects and tries again with backoff when the connection is refused or lost.
///
///     let session = try PostgresSession(dsn: PostgresDSN("env:PG_DSN"))
///     try session.connect()
///     try session.execute("insert into t values ($1, $2)", [.integer(1), .text("a")])
///     let version = try session.serverVersion()
///     try session.withConnection { connection in try await connection.copyFrom(...) }
///     session.close()
public final class PostgresSession {
    public let dsn: PostgresDSN
    public let retry: SQLRetry
    let runtime: SQLRuntime
    private var connection: PostgresConnection?
    private var trackingKey: Int?
    /// Cancels the open connection's statement (nil: not connected, or no server process id).
    private(set) var backendCancel: PostgresBackendCancel?
    private static let ids = Locked(0)

    public init(dsn: PostgresDSN, retry: SQLRetry = SQLRetry(), runtime: SQLRuntime = .shared) {
        self.dsn = dsn
        self.retry = retry
        self.runtime = runtime
    }

    deinit { close() }

    /// Whether a connection is open (it may still have broken since the last call).
    public var isConnected: Bool { connection.map { !$0.isClosed } ?? false }

    /// Opens the connection (closing a previous one), trying again with backoff while the server
    /// refuses connections.
    public func connect() throws {
        try retry.run(runtime: runtime) { try connectOnce() }
    }

    /// Runs `body` on the open connection (connecting first if needed) and returns what it
    /// returns; the driver's errors come out as ``SQLError``s. No retry: see ``retrying(_:)``.
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) throws -> T {
        if !isConnected { try connectOnce() }
        let connection = self.connection!
        let dsn = self.dsn
        do {
            return try runtime.calls.run { try await body(connection) }
        } catch {
            throw Self.classify(error, dsn: dsn, connecting: false)
        }
    }

    /// Waits for `work` that uses what the connection already started (a row sequence): no
    /// connecting, the driver's errors come out as ``SQLError``s.
    func waiting<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        do {
            return try runtime.calls.run(work)
        } catch {
            throw Self.classify(error, dsn: dsn, connecting: false)
        }
    }

    /// Runs `body`; when it fails with a connection error, reconnects and runs it again, with
    /// backoff, up to ``SQLRetry/attempts`` times. `body` must be safe to repeat (a statement in
    /// a transaction that the lost connection rolled back, a query restarted from a cursor).
    public func retrying<T>(_ body: () throws -> T) throws -> T {
        try retry.run(runtime: runtime) {
            if !isConnected { try connectOnce() }
            do { return try body() } catch let error as SQLError where error.isRetryable {
                close()
                throw error
            }
        }
    }

    /// Runs one statement with `parameters` bound to `$1`, `$2`... and returns the number of rows
    /// it affected (nil for statements without a count).
    @discardableResult
    public func execute(_ sql: String, _ parameters: [SQLValue] = []) throws -> Int? {
        let query = try PostgresSession.query(sql, parameters)
        let logger = runtime.logger
        return try withConnection { connection in
            try await connection.query(query, logger: logger).get().metadata.rows
        }
    }

    /// `SELECT version()`'s first words, e.g. "PostgreSQL 15.18".
    public func serverVersion() throws -> String {
        let logger = runtime.logger
        let full = try withConnection { connection in
            var version = ""
            for try await row in try await connection.query("select version()", logger: logger) {
                version = try row.decode(String.self)
            }
            return version
        }
        return full.split(separator: " ").prefix(2).joined(separator: " ")
    }

    /// Closes the connection (without waiting for the server).
    public func close() {
        if let key = trackingKey { runtime.forget(key) }
        if let connection {
            // The connection must outlive its closing (postgres-nio checks it in debug builds).
            connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
        }
        connection = nil
        trackingKey = nil
        backendCancel = nil
    }

    /// A query with `parameters` bound as text of unspecified type: the server infers each
    /// parameter's type from where it stands (`updated_at > $1` makes `$1` a timestamp).
    static func query(_ sql: String, _ parameters: [SQLValue]) throws -> PostgresQuery {
        var binds = PostgresBindings(capacity: parameters.count)
        for parameter in parameters {
            if let text = parameter.text { binds.append(UntypedText(text)) } else { binds.appendNull() }
        }
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    private func connectOnce() throws {
        close()
        let configuration = try Self.configuration(dsn)
        let (logger, dsn) = (runtime.logger, self.dsn)
        let id = Self.ids.withLock { $0 += 1; return $0 }
        do {
            connection = try runtime.calls.run {
                try await PostgresConnection.connect(configuration: configuration, id: id, logger: logger)
            }
        } catch {
            throw Self.classify(error, dsn: dsn, connecting: true)
        }
        let opened = connection!
        // Without the server process's id (a server without pg_backend_pid), a stop signal only
        // closes the connection.
        let cancel = (try? runtime.calls.run { try await PostgresBackendCancel.processID(of: opened, logger: logger) })
            .map { PostgresBackendCancel(configuration: configuration, processID: $0, logger: logger) }
        backendCancel = cancel
        trackingKey = runtime.track {
            cancel?.send()
            opened.close().whenComplete { _ in }
        }
    }

    private static func configuration(_ dsn: PostgresDSN) throws -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        if let directory = dsn.socketDirectory {
            configuration = .init(unixSocketPath: "\(directory)/.s.PGSQL.\(dsn.port)", username: dsn.user,
                                  password: dsn.password, database: dsn.database)
        } else {
            configuration = .init(host: dsn.host, port: dsn.port, username: dsn.user, password: dsn.password,
                                  database: dsn.database, tls: try tls(dsn.sslMode))
        }
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }

    private static func tls(_ mode: PostgresDSN.SSLMode) throws -> PostgresConnection.Configuration.TLS {
        var settings = TLSConfiguration.makeClientConfiguration()
        if mode != .verifyFull { settings.certificateVerification = .none }
        switch mode {
        case .disable: return .disable
        case .prefer: return .prefer(try NIOSSLContext(configuration: settings))
        case .require, .verifyFull: return .require(try NIOSSLContext(configuration: settings))
        }
    }
}
