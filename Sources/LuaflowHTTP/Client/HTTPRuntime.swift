import AsyncHTTPClient
import Logging
import LuaflowCore
import NIOCore

/// What every HTTP session of a run shares: the AsyncHTTPClient (connection pool, TLS), the
/// per-host rate limiters, the clock, the random source for jitter, the run-wide metrics.
///
/// One client serves every session with default timeouts and TLS verification. A session with
/// `insecure = true`, or with other connect/read timeouts (AsyncHTTPClient fixes those per
/// client), gets a client of its own kind, created on first use and shared with every session
/// of the same kind. Call ``shutdown()`` (or ``syncShutdown()``) once the run is over.
public final class HTTPRuntime: Sendable {
    /// The runtime of the process, created on first use with the real clock. Never shut down.
    public static let shared = HTTPRuntime()

    /// Connect and read timeouts and TLS verification: what distinguishes one client from another.
    struct ClientProfile: Hashable, Sendable {
        var insecure: Bool
        var connectTimeout: Double
        var readTimeout: Double
    }

    public let clock: any HTTPClock
    public let logger: Logger
    /// Told about every request (metrics and traces), when set.
    public let observer: (any HTTPObserver)?
    /// Counts of every session of this runtime.
    public let metrics = HTTPMetrics()
    let rateLimiters = RateLimiterRegistry()
    let retryBudgets = RetryBudgetRegistry()
    private let random: Locked<any RandomNumberGenerator>
    private let clients = Locked<[ClientProfile: HTTPClient]>([:])
    private let isShutDown = Locked(false)
    private let blockingCalls = BlockingCallRegistry()

    /// - Parameters:
    ///   - clock: time for rate limits, backoff, token expiry; ``ManualHTTPClock`` in tests.
    ///   - random: the source of backoff jitter; a seeded generator makes tests repeatable.
    ///   - logger: receives one debug line per request and one info line per retry, secrets redacted.
    ///   - observer: told about every request, attempt and retry (metrics and traces).
    public init(clock: any HTTPClock = SystemHTTPClock(), random: some RandomNumberGenerator & Sendable = SystemRandomNumberGenerator(),
                logger: Logger = Logger(label: "luaflow.http"), observer: (any HTTPObserver)? = nil) {
        self.clock = clock
        self.random = Locked(random)
        self.logger = logger
        self.observer = observer
    }

    deinit {
        // A client dropped without shutdown traps in debug builds; shut down in the background instead.
        for client in clients.withLock({ Array($0.values) }) { client.shutdown { _ in } }
    }

    /// Runs `body` with the runtime's random source (for backoff jitter).
    func withRandom<Result>(_ body: (inout AnyRandomNumberGenerator) -> Result) -> Result {
        random.withLock { generator in
            var wrapped = AnyRandomNumberGenerator(generator)
            defer { generator = wrapped.base }
            return body(&wrapped)
        }
    }

    /// The label of AsyncHTTPClient's own logs (connection pool, TLS): shown only at trace level
    /// (`luaflow run -vv`), apart from the run's request and retry lines.
    public static let clientLogLabel = "luaflow.http.client"

    /// The client for `profile`, created on first use.
    func client(for profile: ClientProfile) throws -> HTTPClient {
        try clients.withLock { clients in
            if let client = clients[profile] { return client }
            guard !isShutDown.withLock({ $0 }) else {
                throw HTTPError(.cancelled, detail: "the HTTP runtime was shut down")
            }
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: Self.configuration(for: profile),
                                    backgroundActivityLogger: Logger(label: Self.clientLogLabel))
            clients[profile] = client
            return client
        }
    }

    private static func configuration(for profile: ClientProfile) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(
            certificateVerification: profile.insecure ? .none : .fullVerification,
            redirectConfiguration: .disallow,  // sessions follow redirects themselves, to drop credentials across origins
            timeout: .init(connect: .nanoseconds(Int64(profile.connectTimeout * 1e9)),
                           read: .nanoseconds(Int64(profile.readTimeout * 1e9))),
            maximumAllowedIdleTimeInConnectionPool: .seconds(60),
            decompression: .enabled(limit: .none)  // the body size limit is enforced while collecting
        )
        configuration.httpVersion = .automatic
        // Fail a refused connection at once: the session's retry policy (with backoff) decides what
        // happens next, instead of AsyncHTTPClient retrying silently until the connect timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        // Keep-alive connections per host over HTTP/1.1: room for pages fetched ahead (`concurrency`)
        // by several nodes at once before requests queue for a connection.
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 32
        return configuration
    }

    /// Runs `work` on the concurrency runtime and blocks the calling thread until it is done.
    /// For dedicated threads only (see ``HTTPSession/executeBlocking(_:raise:)``).
    @available(*, noasync, message: "blocks the calling thread")
    public func runBlocking<Value: Sendable>(_ work: @escaping @Sendable () async throws -> Value) throws -> Value {
        try blockingCalls.run(work)
    }

    /// Starts `work` on an event loop of the HTTP client (never Swift's cooperative pool) without
    /// waiting for it: requests that run ahead of the one a thread waits for (``FetchWindow``).
    /// Cancelled at once after a stop signal.
    func spawn<Value: Sendable>(_ work: @escaping @Sendable () async throws -> Value) -> Task<Value, Error> {
        let task: Task<Value, Error>
        if #available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, *) {
            task = Task(executorPreference: Self.requestExecutor, operation: work)
        } else {
            task = Task.detached(operation: work)
        }
        if Interrupt.requested { task.cancel() }
        return task
    }

    /// Where ``spawn(_:)`` runs requests: they send, wait and read with no thread hand-over.
    static let requestExecutor = EventLoopTaskExecutor(loop: HTTPClient.defaultEventLoopGroup.next())

    /// Cancels every request that a thread is blocked on (``HTTPSession/executeBlocking(_:raise:)``,
    /// ``PageIterator/next()``): they throw ``HTTPError/Kind/cancelled`` promptly, even while
    /// sleeping for a retry or a rate limit. For SIGINT and SIGTERM: a call started after a stop
    /// signal is cancelled as soon as it starts.
    public func cancelBlockingCalls() {
        blockingCalls.cancelAll()
    }

    /// Closes every connection. Requests made afterwards fail with ``HTTPError/Kind/cancelled``.
    public func shutdown() async throws {
        isShutDown.withLock { $0 = true }
        let all = clients.withLock { clients in
            defer { clients.removeAll() }
            return Array(clients.values)
        }
        for client in all { try await client.shutdown() }
    }

    /// ``shutdown()`` for synchronous callers (the CLI's main thread). Never call it from an async context.
    @available(*, noasync, message: "blocks the calling thread; use shutdown()")
    public func syncShutdown() throws {
        isShutDown.withLock { $0 = true }
        let all = clients.withLock { clients in
            defer { clients.removeAll() }
            return Array(clients.values)
        }
        for client in all { try client.syncShutdown() }
    }
}

/// A type-erased random number generator that can be passed `inout` to generic code.
struct AnyRandomNumberGenerator: RandomNumberGenerator {
    var base: any RandomNumberGenerator

    init(_ base: any RandomNumberGenerator) {
        self.base = base
    }

    mutating func next() -> UInt64 {
        base.next()
    }
}
