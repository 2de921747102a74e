import LuaflowCore

/// Counters for the run summary: requests sent, retries, rate-limit waits. Thread-safe; a session
/// has its own and the runtime adds every session's counts to its total.
public final class HTTPMetrics: Sendable {
    public struct Snapshot: Sendable, Equatable {
        /// Requests sent over the network, counting every attempt and redirect hop.
        public var requests = 0
        /// Attempts that were repeated after a failure (including one OAuth2 renewal after a 401).
        public var retries = 0
        /// Requests that had to wait for the rate limiter.
        public var rateLimitWaits = 0
        /// Seconds spent waiting for the rate limiter.
        public var rateLimitWaitSeconds = 0.0
        /// Requests that ended in an ``HTTPError`` (or a non-2xx response with `raise = false`).
        public var failures = 0
        /// Response body bytes received (after decompression).
        public var bytesReceived = 0

        public init() {}
    }

    private let counters = Locked(Snapshot())
    private let parent: HTTPMetrics?

    /// - Parameter parent: also receives every count (the runtime's total).
    public init(parent: HTTPMetrics? = nil) {
        self.parent = parent
    }

    public var snapshot: Snapshot { counters.withLock { $0 } }

    func record(_ update: (inout Snapshot) -> Void) {
        counters.withLock(update)
        parent?.record(update)
    }
}
