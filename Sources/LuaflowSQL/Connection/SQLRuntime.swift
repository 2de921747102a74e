import Foundation
import Logging
import LuaflowCore

/// What every database connection of the process shares: the registry of blocking calls (a node
/// thread waiting for the driver's async work, which runs on ``DedicatedTaskExecutor``) and a way
/// to stop each open connection (close a PostgreSQL socket, interrupt a SQLite statement), so a
/// stop signal ends both at once (``interrupt()``).
public final class SQLRuntime: Sendable {
    public static let shared = SQLRuntime()

    /// The calls node threads are blocked in.
    public let calls = BlockingCallRegistry()
    /// The driver's own log: silent (luaflow reports failures through its errors).
    let logger = Logger(label: "luaflow.sql") { _ in SwiftLogNoOpLogHandler() }
    private let connections = Locked<(next: Int, stops: [Int: @Sendable () -> Void])>((0, [:]))

    public init() {}

    /// Cancels every blocking call and stops every open connection, all at once: a query waiting
    /// on the server (a lock, `pg_sleep`) ends now rather than at its own pace. Returns when the
    /// server took the cancels (at most ``PostgresBackendCancel/timeout`` seconds).
    public func interrupt() {
        calls.cancelAll()
        let stops = connections.withLock { Array($0.stops.values) }
        DispatchQueue.concurrentPerform(iterations: stops.count) { stops[$0]() }
    }

    /// Keeps `stop` (what ends a connection's work at once) until ``forget(_:)``; returns its key.
    func track(_ stop: @escaping @Sendable () -> Void) -> Int {
        connections.withLock { state in
            state.next += 1
            state.stops[state.next] = stop
            return state.next
        }
    }

    func forget(_ key: Int) {
        _ = connections.withLock { $0.stops.removeValue(forKey: key) }
    }
}
