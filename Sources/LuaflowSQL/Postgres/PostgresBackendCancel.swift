import Foundation
import Logging
import LuaflowCore
import PostgresNIO

/// Stops what one server process of a connection runs, for a stop signal: `pg_cancel_backend`
/// over a connection of its own. Closing the connection is not enough: the server notices a
/// client that went away only when it next talks to it, so a `pg_sleep` or a lock wait would run
/// on to its end.
struct PostgresBackendCancel: Sendable {
    /// How long a stop signal waits for the server to take the cancel.
    static let timeout = 2.0

    let configuration: PostgresConnection.Configuration
    /// The connection's server process (`pg_backend_pid()`).
    let processID: Int32
    let logger: Logger

    /// The server process behind `connection`.
    static func processID(of connection: PostgresConnection, logger: Logger) async throws -> Int32 {
        var processID: Int32 = 0
        for try await row in try await connection.query("select pg_backend_pid()", logger: logger) {
            processID = try row.decode(Int32.self)
        }
        return processID
    }

    /// Asks the server to cancel the process's statement and waits until it has, or for
    /// ``timeout`` seconds (a server that does not answer is left to the closed connection).
    func send() {
        let done = DispatchSemaphore(value: 0)
        let (configuration, processID, logger) = (configuration, processID, logger)
        let work: @Sendable () async -> Void = {
            defer { done.signal() }
            guard let connection = try? await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger) else { return }
            // Best effort: whatever goes wrong here, the caller closes the connection next.
            _ = try? await connection.query("select pg_cancel_backend(\(processID))", logger: logger).collect()
            try? await connection.close()
        }
        if #available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, *) {
            Task(executorPreference: DedicatedTaskExecutor.shared, operation: work)
        } else {
            Task.detached(operation: work)
        }
        _ = done.wait(timeout: .now() + Self.timeout)
    }
}
